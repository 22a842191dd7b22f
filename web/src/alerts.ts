// Open (and acknowledged, unresolved) alerts of the area, newest first, with the cause in
// words and since when. Live `alert.*` events update the list in place; it holds at most
// MAX_ALERTS (the newest), so it does not grow with time. An acknowledge button only when the
// screen's token may (alerts:write).
import type { Api } from "./api";
import { el, setAttr, setText } from "./dom";
import { t, word } from "./i18n";
import { absolute, relative } from "./time";
import type { Alert } from "./types";

const MAX_ALERTS = 50;

interface Row {
  alert: Alert;
  el: HTMLElement;
  text: HTMLElement;
  rel: HTMLElement;
  abs: HTMLElement;
  ack: HTMLButtonElement | null;
}

export class AlertsView {
  private readonly rows = new Map<number, Row>();
  private readonly list: HTMLElement;
  private readonly empty: HTMLElement;
  private canAcknowledge = false;

  constructor(
    root: HTMLElement,
    private readonly api: Api,
    private readonly communityName: (code: string) => string,
  ) {
    this.list = el("ol", { class: "alert-list" });
    this.empty = el("p", { class: "empty" }, t("noAlerts"));
    root.append(this.list, this.empty);
  }

  show(alerts: Alert[], canAcknowledge: boolean): void {
    this.canAcknowledge = canAcknowledge;
    this.rows.clear();
    this.list.replaceChildren();
    for (const alert of alerts) this.upsert(alert, false);
    this.order();
  }

  /** An `alert.*` event's payload. */
  apply(kind: string, payload: Record<string, unknown>): void {
    const id = Number(payload["alert_id"]);
    if (!Number.isFinite(id)) return;
    if (kind === "alert.resolved" || payload["state"] === "resolved") {
      const row = this.rows.get(id);
      row?.el.remove();
      this.rows.delete(id);
    } else {
      this.upsert(
        {
          id,
          pile_id: Number(payload["pile_id"]),
          equipment_id: String(payload["equipment_id"] ?? ""),
          community: String(payload["community"] ?? ""),
          severity: String(payload["severity"] ?? "yellow"),
          cause: String(payload["cause"] ?? ""),
          state: String(payload["state"] ?? "open"),
          opened_at: String(payload["opened_at"] ?? payload["since"] ?? new Date().toISOString()),
          escalated_at: typeof payload["escalated_at"] === "string" ? payload["escalated_at"] : null,
        },
        true,
      );
      this.order();
    }
    this.empty.hidden = this.rows.size > 0;
  }

  tick(now: number): void {
    for (const row of this.rows.values()) setText(row.rel, relative(new Date(row.alert.opened_at), now));
  }

  relabel(): void {
    setText(this.empty, t("noAlerts"));
    const now = Date.now();
    for (const row of this.rows.values()) this.render(row, now);
  }

  private upsert(alert: Alert, live: boolean): void {
    let row = this.rows.get(alert.id);
    if (!row) {
      const text = el("span", { class: "alert-text" });
      const rel = el("span", { class: "rel" });
      const abs = el("span", { class: "abs" });
      const node = el("li", { class: "alert", "data-alert": String(alert.id) }, el("span", { class: "shape", "aria-hidden": "true" }), text, el("span", { class: "alert-since" }, rel, abs));
      row = { alert, el: node, text, rel, abs, ack: null };
      this.rows.set(alert.id, row);
      this.list.append(node);
      if (live) {
        node.classList.add("changed");
        setTimeout(() => node.classList.remove("changed"), 5_000);
      }
    }
    row.alert = alert;
    this.render(row, Date.now());
    this.empty.hidden = true;
  }

  private render(row: Row, now: number): void {
    const alert = row.alert;
    const colour = alert.severity === "red" ? "red" : "yellow";
    setAttr(row.el, "data-colour", colour);
    setAttr(row.el, "data-state", alert.state);
    const state = alert.state === "acknowledged" ? ` · ${t("acknowledged")}` : "";
    setText(row.text, `${alert.equipment_id} · ${this.communityName(alert.community)} · ${word("cause_", alert.cause)}${state}`);
    const since = new Date(alert.opened_at);
    setText(row.rel, relative(since, now));
    setText(row.abs, absolute(since));
    const wantsButton = this.canAcknowledge && alert.state === "open";
    if (wantsButton && !row.ack) {
      const button = el("button", { type: "button", class: "ack", "data-ack": String(alert.id) }, t("acknowledge"));
      button.addEventListener("click", () => void this.acknowledge(alert.id, button));
      row.ack = button;
      row.el.append(button);
    } else if (!wantsButton && row.ack) {
      row.ack.remove();
      row.ack = null;
    } else if (row.ack) {
      setText(row.ack, t("acknowledge"));
    }
  }

  private async acknowledge(id: number, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const alert = await this.api.post<Alert>(`/v1/alerts/${id}/acknowledge`, {});
      const row = this.rows.get(id);
      if (row) {
        row.alert = { ...row.alert, state: alert.state };
        this.render(row, Date.now());
      }
    } catch {
      button.disabled = false;
    }
  }

  /** Newest first; at most MAX_ALERTS rows (the oldest go). */
  private order(): void {
    const rows = [...this.rows.values()].sort((a, b) => Date.parse(b.alert.opened_at) - Date.parse(a.alert.opened_at));
    for (const row of rows.slice(MAX_ALERTS)) {
      row.el.remove();
      this.rows.delete(row.alert.id);
    }
    rows.length = Math.min(rows.length, MAX_ALERTS);
    rows.forEach((row, i) => {
      if (this.list.children[i] !== row.el) this.list.insertBefore(row.el, this.list.children[i] ?? null);
    });
    this.empty.hidden = this.rows.size > 0;
  }
}
