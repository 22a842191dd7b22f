// Uptime over the last 30 days: the area's NEVI-style uptime (or, when the hub will not state
// it, its reason: never a fake pass), the unknown share, the status-hours split, and the piles
// with the lowest uptime.
import type { PanelContext } from "./contract";
import type { StatusHours, UptimeReport } from "./api";
import { axisStyle, baseOption, HATCH, MUTED, TEXT } from "./charts";
import { add, areaInfo, BasePanel, last30, num, type PanelState, pct, query } from "./common";
import type { Strings } from "./strings";

const WORST = 5;
const STATUS_ORDER: ReadonlyArray<keyof StatusHours> = ["available", "in_use", "out_of_service", "short_offline", "unknown"];
// Status colours follow the board's meaning (green usable, amber/red out, grey unknown); each
// segment is also labelled in the legend and the tooltip.
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
    const split = add(this.body, "div");
    split.style.display = "flex";
    split.style.gap = "12px";
    split.style.flex = "1 1 auto";
    split.style.minHeight = "0";
    const left = add(split, "div", "uptime-area");
    left.style.flex = "1 1 0";
    left.style.minWidth = "0";
    left.style.display = "flex";
    left.style.flexDirection = "column";
    left.style.fontSize = "0.9em";

    add(left, "div", undefined, s.areaUptime).style.color = MUTED;
    const big = add(left, "div", "uptime-value");
    big.dataset.uptime = a.uptime === null ? "null" : String(a.uptime);
    big.style.fontSize = "2em";
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
      `${s.unknownShare} ${pct(unknown)}`,
      `${s.coverage} ${pct(a.coverage)}`,
      `${s.ukReliability} ${pct(a.uk_reliability, 2)} · ${s.meetsTarget(a.meets_uk_target)}`,
      s.faultsRepairs(a.faults, a.repairs),
      a.mttr_hours === null && a.mttr_reason ? `${s.mttr(null)} (${s.reason(a.mttr_reason)})` : s.mttr(a.mttr_hours === null ? null : num(a.mttr_hours, ctx.lang)),
    ];
    for (const fact of facts) add(left, "div", "uptime-fact", fact);
    const bar = add(left, "div");
    bar.style.display = "flex";
    bar.style.height = "52px";
    bar.style.marginTop = "6px";
    const chart = this.chartIn(bar, 52);
    const total = STATUS_ORDER.reduce((t, k) => t + a.hours[k], 0);
    chart.setOption({
      ...baseOption(),
      tooltip: { ...(baseOption().tooltip as object), trigger: "item", valueFormatter: (v: unknown) => (typeof v === "number" ? pct(v) : "—") },
      legend: { top: 0, left: 0, itemWidth: 10, itemHeight: 10, textStyle: { color: TEXT, fontSize: 11 } },
      grid: { left: 0, right: 0, top: 22, bottom: 0 },
      xAxis: { type: "value", max: 1, show: false },
      yAxis: { type: "category", data: [""], show: false, ...axisStyle() },
      series: STATUS_ORDER.map((k) => ({
        type: "bar" as const,
        name: s.statusHours[k],
        stack: "hours",
        barWidth: 14,
        itemStyle: { color: STATUS_COLOURS[k], decal: k === "unknown" ? HATCH : undefined },
        data: [total > 0 ? a.hours[k] / total : 0],
      })),
    });

    const right = add(split, "div", "uptime-worst");
    right.style.flex = "1.2 1 0";
    right.style.minWidth = "0";
    right.style.fontSize = "0.9em";
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
      add(item, "span", undefined, ` ${name(p.community, p.community)} `).style.color = MUTED;
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
