// The screen's analytics panels. The shell creates one per `[id="panel-<id>"]` element and drives
// it through the Panel contract (contract.ts); each panel fetches its own bounded window.
import type { Panel, PanelContext } from "./contract";

export type PanelId = "energy" | "utilisation" | "guidance" | "uptime";
export const PANEL_IDS: readonly PanelId[] = ["energy", "utilisation", "guidance", "uptime"];

class PlaceholderPanel implements Panel {
  constructor(
    private readonly id: PanelId,
    private readonly el: HTMLElement,
  ) {}
  async update(_ctx: PanelContext): Promise<void> {
    this.el.textContent = this.id;
  }
  resize(): void {}
  dispose(): void {
    this.el.textContent = "";
  }
}

export function createPanel(id: PanelId, el: HTMLElement): Panel {
  return new PlaceholderPanel(id, el);
}
