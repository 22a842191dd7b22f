// The screen's analytics panels. The shell creates one per `#panel-<id>` element and drives it
// through the Panel contract (contract.ts); each panel fetches its own 30-day window, draws with
// ECharts and shows its errors itself.
import type { Panel } from "./contract";
import { EnergyPanel } from "./energy";
import { GuidancePanel } from "./guidance";
import { UptimePanel } from "./uptime";
import { UtilisationPanel } from "./utilisation";

export type PanelId = "energy" | "utilisation" | "guidance" | "uptime";
export const PANEL_IDS: readonly PanelId[] = ["energy", "utilisation", "guidance", "uptime"];

export function createPanel(id: PanelId, el: HTMLElement): Panel {
  switch (id) {
    case "energy":
      return new EnergyPanel(el);
    case "utilisation":
      return new UtilisationPanel(el);
    case "guidance":
      return new GuidancePanel(el);
    case "uptime":
      return new UptimePanel(el);
  }
}
