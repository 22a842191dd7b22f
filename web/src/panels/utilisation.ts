// Utilisation: occupancy by hour of day × weekday over the last 30 days, from the hub's own
// `profile` (the whole area, ISO weekdays, local hours). Cells the hub would not judge (too
// little observed) are drawn hatched, not as 0.
import type { PanelContext } from "./contract";
import type { UtilisationReport } from "./api";
import { axisStyle, baseOption, HATCH, HEAT, MUTED, NO_DATA, TEXT } from "./charts";
import { BasePanel, type PanelState, last30, pct, query } from "./common";
import type { Strings } from "./strings";

export class UtilisationPanel extends BasePanel<UtilisationReport> {
  protected title(s: Strings): string {
    return s.utilTitle;
  }

  protected load(ctx: PanelContext): Promise<UtilisationReport> {
    const { from, to } = last30(ctx);
    // group_by the area's own level keeps rows to one per day (the profile is always the whole
    // area); a city has no own group, so its districts are listed (30 × districts rows).
    const groupBy = ctx.level === "city" ? "district" : ctx.level;
    return ctx.api<UtilisationReport>(
      `/v1/utilization?${query({ area: ctx.area, granularity: "day", from, to, group_by: groupBy })}`,
    );
  }

  protected draw(report: UtilisationReport, _ctx: PanelContext, s: Strings): PanelState {
    if (report.profile.length === 0) return "empty";
    const judged: Array<[number, number, number]> = [];
    const unjudged: Array<[number, number, number]> = [];
    for (const cell of report.profile) {
      const y = cell.weekday - 1;
      if (cell.occupancy === null) unjudged.push([cell.hour, y, 0]);
      else judged.push([cell.hour, y, Math.round(cell.occupancy * 1000) / 1000]);
    }
    const hours = Array.from({ length: 24 }, (_, h) => String(h));
    const reasons = new Map(report.profile.map((c) => [`${c.hour},${c.weekday - 1}`, c.reason]));
    const chart = this.chartIn(this.body, 150);
    chart.setOption({
      ...baseOption(),
      tooltip: {
        ...(baseOption().tooltip as object),
        formatter: (p: { data: [number, number, number]; seriesIndex: number }) => {
          const [h, y, v] = p.data;
          const when = `${s.weekdays[y] ?? ""} ${String(h).padStart(2, "0")}:00–${String(h + 1).padStart(2, "0")}:00`;
          return p.seriesIndex === 0
            ? `${when}<br/>${s.occupancy} ${pct(v)}`
            : `${when}<br/>${s.notObserved}: ${s.reason(reasons.get(`${h},${y}`) ?? null)}`;
        },
      },
      grid: { left: 8, right: 8, top: 6, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: hours, ...axisStyle(), splitArea: { show: false } },
      yAxis: { type: "category", data: [...s.weekdays], inverse: true, ...axisStyle() },
      visualMap: {
        seriesIndex: 0,
        min: 0,
        max: 1,
        calculable: false,
        orient: "horizontal",
        left: "center",
        bottom: 0,
        itemHeight: 120,
        itemWidth: 10,
        text: ["100%", "0%"],
        textStyle: { color: TEXT },
        inRange: { color: HEAT },
      },
      series: [
        {
          type: "heatmap",
          data: judged,
          itemStyle: { borderColor: "#0b1220", borderWidth: 1 },
          emphasis: { itemStyle: { borderColor: TEXT } },
        },
        {
          type: "heatmap",
          data: unjudged,
          itemStyle: { color: NO_DATA, decal: HATCH, borderColor: "#0b1220", borderWidth: 1 },
        },
      ],
    });
    const notes: string[] = [];
    const only = report.totals.length === 1 ? report.totals[0] : undefined;
    if (only) {
      notes.push(only.occupancy === null ? `${s.occupancy}: ${s.reason(only.reason)}` : s.utilAverage(pct(only.occupancy)));
    }
    if (unjudged.length > 0) notes.push(s.utilNote);
    const foot = document.createElement("div");
    foot.className = "util-note";
    foot.style.color = MUTED;
    foot.style.fontSize = "0.85em";
    foot.textContent = notes.join(" · ");
    this.body.appendChild(foot);
    return "ready";
  }
}
