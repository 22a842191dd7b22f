// Uptime over the last 30 days: the area's NEVI-style uptime (or, when the hub will not state
// it, its reason: never a fake pass), the unknown share, the status-hours split, and the piles
// with the lowest uptime.
import type { PanelContext } from "./contract";
import type { StatusHours, UptimeReport } from "./api";
import { MUTED } from "./charts";
import { add, areaInfo, BasePanel, last30, legend, num, type PanelState, pct, query } from "./common";
import type { Strings } from "./strings";

const WORST = 5;
const STATUS_ORDER: ReadonlyArray<keyof StatusHours> = ["available", "in_use", "out_of_service", "short_offline", "unknown"];
// Status colours follow the board's meaning (green usable, amber/red out, grey unknown); each
// segment is also named, with its share, in the legend, and unknown is hatched.
const STATUS_COLOURS: Record<keyof StatusHours, string> = {
  available: "#009e73",
  in_use: "#56b4e9",
  out_of_service: "#d55e00",
  short_offline: "#e69f00",
  unknown: "#6b7689",
};

// /v1/uptime answers every pile and connector of the area (≈ 0.5 kB each) and has no summary-only
// form, so above this many piles (a city of 200,000 connectors: over 100 MB) the panel does not
// ask every few minutes; it says why and points at a smaller area instead.
const MAX_PILES = 3000;

/** A share for the legend: whole percent, but never "0%" for a share that is there. */
function share(value: number): string {
  return value > 0 && value < 0.005 ? "<1%" : pct(value, 0);
}

interface UptimeData {
  report: UptimeReport | { tooMany: number };
  name: (code: string, fallback: string | null) => string;
}

export class UptimePanel extends BasePanel<UptimeData> {
  protected title(s: Strings): string {
    return s.uptimeTitle;
  }

  protected async load(ctx: PanelContext): Promise<UptimeData> {
    const { from, to } = last30(ctx);
    const { name, piles } = await areaInfo(ctx);
    if (piles !== null && piles > MAX_PILES) return { report: { tooMany: piles }, name };
    const report = await ctx.api<UptimeReport>(`/v1/uptime?${query({ area: ctx.area, from, to })}`);
    return { report, name };
  }

  protected draw(data: UptimeData, ctx: PanelContext, s: Strings): PanelState {
    const { report, name } = data;
    if ("tooMany" in report) {
      const note = add(this.body, "p", "uptime-too-many", s.tooManyPiles(num(report.tooMany, ctx.lang, 0)));
      note.dataset.reason = "too-many-piles";
      return "ready";
    }
    const a = report.area_uptime;
    const { first: left, second: right } = this.split([1, 1.2], null);
    left.classList.add("uptime-area");
    left.style.fontSize = "0.9em";

    add(left, "div", undefined, s.areaUptime).style.color = MUTED;
    const big = add(left, "div", "uptime-value");
    big.dataset.uptime = a.uptime === null ? "null" : String(a.uptime);
    big.style.fontSize = "1.9em";
    big.style.fontWeight = "700";
    big.style.lineHeight = "1.1";
    big.textContent = a.uptime === null ? "—" : pct(a.uptime, 2);
    if (a.uptime === null) {
      const why = add(left, "div", "uptime-reason", s.reason(a.reason));
      why.dataset.reason = a.reason ?? "";
      why.style.fontWeight = "600";
    }
    const unknown = a.range_hours > 0 ? a.hours.unknown / a.range_hours : null;
    const facts = [
      `${s.unknownShare} ${pct(unknown)} · ${s.coverage} ${pct(a.coverage)}`,
      `${s.ukReliability} ${pct(a.uk_reliability, 2)} · ${s.meetsTarget(a.meets_uk_target)}`,
      `${s.faultsRepairs(a.faults, a.repairs)} · ${
        a.mttr_hours === null && a.mttr_reason ? `${s.mttr(null)} (${s.reason(a.mttr_reason)})` : s.mttr(a.mttr_hours === null ? null : num(a.mttr_hours, ctx.lang))
      }`,
    ];
    for (const fact of facts) add(left, "div", "uptime-fact", fact);
    // The split of the range by status as one bar in the page (a chart would be all overhead
    // for five numbers); the legend wraps in a narrow panel.
    const total = STATUS_ORDER.reduce((t, k) => t + a.hours[k], 0);
    const shown = STATUS_ORDER.filter((k) => a.hours[k] > 0);
    legend(
      left,
      shown.map((k) => ({
        label: `${s.statusHours[k]} ${share(a.hours[k] / total)}`,
        colour: STATUS_COLOURS[k],
        mark: k === "unknown" ? ("hatched" as const) : ("solid" as const),
      })),
    ).style.marginTop = "4px";
    const bar = add(left, "div", "uptime-hours");
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", shown.map((k) => `${s.statusHours[k]} ${pct(a.hours[k] / total, 1)}`).join(", "));
    bar.style.display = "flex";
    bar.style.height = "12px";
    bar.style.marginTop = "3px";
    bar.style.borderRadius = "2px";
    bar.style.overflow = "hidden";
    bar.style.flex = "0 0 auto";
    for (const k of shown) {
      const part = add(bar, "span");
      part.style.flex = `${a.hours[k]} 0 0`;
      part.style.background =
        k === "unknown"
          ? `repeating-linear-gradient(45deg, ${STATUS_COLOURS[k]} 0 3px, rgba(11, 18, 32, 0.9) 3px 6px)`
          : STATUS_COLOURS[k];
    }

    right.classList.add("uptime-worst");
    right.style.fontSize = "0.9em";
    right.style.marginTop = "4px";
    add(right, "div", undefined, s.worstPiles).style.color = MUTED;
    if (report.piles.length === 0) {
      add(right, "div", undefined, s.noPiles);
      return "ready";
    }
    const stated = report.piles.filter((p) => p.uptime !== null).sort((x, y) => (x.uptime ?? 0) - (y.uptime ?? 0));
    const list = add(right, "ol", "worst-list");
    list.style.margin = "4px 0";
    list.style.paddingLeft = "1.4em";
    for (const p of stated.slice(0, WORST)) {
      const item = add(list, "li");
      item.dataset.pileId = String(p.pile_id);
      const code = add(item, "span", undefined, p.equipment_id);
      code.style.fontFamily = "monospace";
      add(item, "span", undefined, ` ${name(p.community, null)} `).style.color = MUTED;
      const value = add(item, "strong", undefined, pct(p.uptime, 1));
      value.style.float = "right";
    }
    // Piles the hub would not give a figure for are counted, with why, not ranked as 0 or 100 %.
    const unstated = report.piles.filter((p) => p.uptime === null);
    if (unstated.length > 0) {
      const reasons = [...new Set(unstated.map((p) => s.reason(p.reason)))].join(", ");
      const note = add(right, "div", "uptime-unstated", s.unstated(unstated.length, reasons, stated.length > 0));
      note.style.color = MUTED;
    }
    return "ready";
  }
}
