// Off-peak guidance (错时错峰): the hub's recommendation over the last 30 days, in words (the most
// idle community, congested hours, suggested shifts, who was left out and why) and each
// community's occupancy by hour against the hub's congestion and room thresholds.
import type { PanelContext } from "./contract";
import type { HourWindow, OffPeakGuidance } from "./api";
import { axisStyle, baseOption, GROUP_COLOURS, MUTED, TEXT } from "./charts";
import { add, areaNames, BasePanel, clock, hourRanges, last30, learnNames, legend, type PanelState, pct, query } from "./common";
import type { Strings } from "./strings";

// Lines drawn at most: the congested ones first, then the most idle.
const MAX_LINES = 4;

interface GuidanceData {
  guidance: OffPeakGuidance;
  name: (code: string, fallback: string | null) => string;
}

function windows(list: readonly HourWindow[]): string {
  return list.map((w) => `${clock(w.from_hour)}–${clock(w.to_hour)}`).join(", ");
}

export class GuidancePanel extends BasePanel<GuidanceData> {
  protected title(s: Strings): string {
    return s.guidanceTitle;
  }

  protected async load(ctx: PanelContext): Promise<GuidanceData> {
    const { from, to } = last30(ctx);
    const [guidance, name] = await Promise.all([
      ctx.api<OffPeakGuidance>(`/v1/guidance/off-peak?${query({ area: ctx.area, from, to })}`),
      areaNames(ctx),
    ]);
    learnNames(guidance.communities.map((c) => c.community));
    return { guidance, name };
  }

  protected draw(data: GuidanceData, _ctx: PanelContext, s: Strings): PanelState {
    const { guidance: g, name } = data;
    const rec = g.recommendation;
    const label = (c: { code: string; name: string | null }): string => name(c.code, c.name);

    const { first: text, second: box } = this.split([1, 1.3], 1);
    text.classList.add("guidance-text");
    text.style.fontSize = "0.9em";

    const judged = g.communities.filter((c) => c.reason === null);
    if (g.communities.length === 0 || judged.length === 0 || rec.most_idle_community === null) {
      // The hub says it cannot judge: say so plainly, with its reasons, and draw nothing.
      const none = add(text, "p", "guidance-none", s.noAdvice);
      none.dataset.guidance = "no-data";
      none.style.fontWeight = "600";
      none.style.margin = "4px 0";
      this.notJudged(text, g, label, s);
      return "ready";
    }

    const section = (heading: string, key: string): HTMLElement => {
      const box = add(text, "div", "guidance-section");
      box.dataset.guidance = key;
      box.style.margin = "0 0 4px";
      add(box, "div", "guidance-heading", heading).style.color = MUTED;
      return box;
    };
    const idle = section(s.mostIdle, "most-idle");
    const most = g.communities.find((c) => c.community.code === rec.most_idle_community?.code);
    const idleLine = add(idle, "div", undefined, label(rec.most_idle_community));
    idleLine.style.fontWeight = "600";
    idleLine.style.fontSize = "1.15em";
    if (most?.idle_share != null) add(idleLine, "span", undefined, ` ${s.idleShare(pct(most.idle_share, 0))}`).style.fontWeight = "400";

    const jam = section(s.congested, "congested");
    if (rec.congested.length === 0) add(jam, "div", undefined, s.noCongestion);
    for (const c of rec.congested.slice(0, 3)) {
      add(jam, "div", undefined, `${label(c.community)}: ${hourRanges(c.hours)} (${s.worst(pct(c.worst_occupancy, 0))})`);
    }
    const moves = section(s.shifts, "shifts");
    if (rec.shifts.length === 0) add(moves, "div", undefined, s.noShifts);
    for (const m of rec.shifts.slice(0, 3)) {
      add(moves, "div", undefined, s.shift(label(m.from_community), hourRanges(m.hours), label(m.to_community), windows(m.windows)));
    }
    this.notJudged(text, g, label, s);

    // Occupancy by hour: congested communities first, then the most idle, then the rest.
    const order = [
      ...rec.congested.map((c) => c.community.code),
      rec.most_idle_community.code,
      ...judged.map((c) => c.community.code),
    ];
    const picked = [...new Set(order)].slice(0, MAX_LINES);
    const lineLabel = (code: string): string => {
      const c = g.communities.find((x) => x.community.code === code);
      return c ? label(c.community) : code;
    };
    legend(
      box,
      picked.map((code, i) => ({
        label: lineLabel(code),
        colour: GROUP_COLOURS[i % GROUP_COLOURS.length] ?? MUTED,
        mark: i % 2 === 0 ? ("line" as const) : ("dashed" as const),
      })),
    );
    const chart = this.chartIn(box, 110);
    chart.setOption({
      ...baseOption(),
      tooltip: { ...(baseOption().tooltip as object), trigger: "axis", valueFormatter: (v: unknown) => (typeof v === "number" ? pct(v, 0) : "—") },
      grid: { left: 4, right: 12, top: 10, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: Array.from({ length: 24 }, (_, h) => String(h)), boundaryGap: false, ...axisStyle() },
      yAxis: { type: "value", min: 0, max: 1, axisLabel: { ...(axisStyle().axisLabel as object), formatter: (v: number) => pct(v, 0) }, ...{ axisLine: axisStyle().axisLine, splitLine: axisStyle().splitLine } },
      series: picked.map((code, i) => {
        const c = g.communities.find((x) => x.community.code === code);
        return {
          type: "line" as const,
          name: lineLabel(code),
          showSymbol: false,
          connectNulls: false,
          lineStyle: { width: 2, type: i % 2 === 0 ? ("solid" as const) : ("dashed" as const) },
          color: GROUP_COLOURS[i % GROUP_COLOURS.length],
          data: c?.hourly_occupancy ?? [],
          markLine:
            i === 0
              ? {
                  silent: true,
                  symbol: "none",
                  label: { color: TEXT, position: "insideEndTop" as const, fontSize: 11 },
                  data: [
                    { yAxis: g.congested_occupancy, lineStyle: { color: "#ff8a65", type: "dashed" as const }, label: { formatter: s.congestedLine(pct(g.congested_occupancy, 0)) } },
                    { yAxis: g.room_occupancy, lineStyle: { color: "#8fd694", type: "dotted" as const }, label: { formatter: s.roomLine(pct(g.room_occupancy, 0)) } },
                  ],
                }
              : undefined,
        };
      }),
    });
    return "ready";
  }

  private notJudged(
    box: HTMLElement,
    g: OffPeakGuidance,
    label: (c: { code: string; name: string | null }) => string,
    s: Strings,
  ): void {
    const left = g.recommendation.not_judged;
    if (left.length === 0) return;
    const section = add(box, "div", "guidance-section");
    section.dataset.guidance = "not-judged";
    add(section, "div", "guidance-heading", s.notJudged).style.color = MUTED;
    const shown = left.slice(0, 4).map((n) => `${label(n.community)} (${s.reason(n.reason)})`);
    if (left.length > shown.length) shown.push(`+${left.length - shown.length}`);
    add(section, "div", undefined, shown.join(", "));
  }
}
