// Energy: the last 30 days per child area as stacked time-of-use bars (one stack per area, one
// segment per period), and this month so far against the same days of last month.
import type { PanelContext } from "./contract";
import type { EnergyReport } from "./api";
import { axisStyle, baseOption, GROUP_COLOURS, HATCH, MUTED, TEXT } from "./charts";
import {
  add,
  addDays,
  areaNames,
  BasePanel,
  daysFrom,
  firstOfMonth,
  last30,
  lastOfMonth,
  num,
  type PanelState,
  pct,
  query,
  shortDay,
} from "./common";
import type { Strings } from "./strings";

// At most this many stacks side by side; the rest are summed into "others" so a district of
// dozens of streets stays readable.
const MAX_GROUPS = 5;

type Level = PanelContext["level"];

/** The level the bars are split by: the area's children, communities at the bottom. */
function childLevel(level: Level): "district" | "street" | "community" {
  return level === "city" ? "district" : level === "district" ? "street" : "community";
}

/** The level whose single group is the area itself (a city has none: its districts are summed). */
function ownLevel(level: Level): "district" | "street" | "community" {
  return level === "city" ? "district" : level;
}

interface EnergyData {
  days: EnergyReport;
  months: EnergyReport;
  name: (code: string, fallback: string | null) => string;
}

export class EnergyPanel extends BasePanel<EnergyData> {
  protected title(s: Strings): string {
    return s.energyTitle;
  }

  protected async load(ctx: PanelContext): Promise<EnergyData> {
    const { from, to } = last30(ctx);
    const area = ctx.area;
    // Two bounded day-by-day answers: 30 days by child area, and since the first of last
    // month for the area itself (at most 62 rows; a city's at most 62 × its districts).
    const [days, months, name] = await Promise.all([
      ctx.api<EnergyReport>(
        `/v1/energy?${query({ area, granularity: "day", from, to, group_by: childLevel(ctx.level) })}`,
      ),
      ctx.api<EnergyReport>(
        `/v1/energy?${query({ area, granularity: "day", from: firstOfMonth(ctx.today, 1), to: ctx.today, group_by: ownLevel(ctx.level) })}`,
      ),
      areaNames(ctx),
    ]);
    return { days, months, name };
  }

  protected draw(data: EnergyData, ctx: PanelContext, s: Strings): PanelState {
    const { days: report, name } = data;
    const totals = [...report.totals].sort((a, b) => b.energy_kwh - a.energy_kwh);
    const shown = totals.slice(0, totals.length > MAX_GROUPS ? MAX_GROUPS - 1 : MAX_GROUPS);
    const shownCodes = new Set(shown.map((t) => t.group.code));
    const groups = shown.map((t) => ({ code: t.group.code, label: name(t.group.code, t.group.name) }));
    if (totals.length > shown.length) groups.push({ code: "", label: s.others });

    const dayList = daysFrom(report.from, report.to);
    const index = new Map(dayList.map((d, i) => [d, i]));
    const periods = report.periods;
    // values[group][period][day]
    const values = groups.map(() => periods.map(() => dayList.map(() => 0)));
    for (const row of report.rows) {
      const g = shownCodes.has(row.group.code) ? groups.findIndex((x) => x.code === row.group.code) : groups.length - 1;
      const d = index.get(row.bucket);
      if (g < 0 || d === undefined) continue;
      periods.forEach((p, pi) => {
        const series = values[g]?.[pi];
        if (series) series[d] = (series[d] ?? 0) + (row.by_period[p] ?? 0);
      });
    }

    const split = add(this.body, "div");
    split.style.display = "flex";
    split.style.flex = "1 1 auto";
    split.style.minHeight = "0";
    split.style.gap = "12px";
    const left = add(split, "div");
    left.style.flex = "3 1 0";
    left.style.display = "flex";
    left.style.minWidth = "0";
    const right = add(split, "div", "energy-month");
    right.style.flex = "1 1 0";
    right.style.minWidth = "150px";
    right.style.fontSize = "0.9em";

    const total = totals.reduce((sum, t) => sum + t.energy_kwh, 0);
    if (total > 0) {
      const chart = this.chartIn(left, 160);
      const lastPeriod = periods.length - 1;
      const series = groups.flatMap((g, gi) =>
        periods.map((p, pi) => ({
          type: "bar" as const,
          name: `${g.label} · ${s.period(p)}`,
          stack: g.code || "others",
          barMaxWidth: 14,
          data: (values[gi]?.[pi] ?? []).map((v) => Math.round(v * 10) / 10),
          itemStyle: {
            color: GROUP_COLOURS[gi % GROUP_COLOURS.length],
            // The first period (峰) solid, the others hatched: told apart without colour.
            decal: pi === 0 ? undefined : HATCH,
            borderRadius: pi === lastPeriod ? [2, 2, 0, 0] : 0,
          },
        })),
      );
      chart.setOption({
        ...baseOption(),
        legend: {
          type: "scroll",
          top: 0,
          textStyle: { color: TEXT, fontSize: 12 },
          pageTextStyle: { color: MUTED },
          itemWidth: 14,
          itemHeight: 10,
        },
        grid: { left: 8, right: 8, top: 28, bottom: 4, containLabel: true },
        tooltip: { ...(baseOption().tooltip as object), trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: dayList.map((d) => shortDay(d, ctx.lang)), ...axisStyle() },
        yAxis: { type: "value", name: s.kwh, ...axisStyle() },
        series,
      });
    } else {
      const empty = add(left, "div", "panel-empty", s.energyEmpty);
      empty.style.color = MUTED;
      empty.style.margin = "auto";
    }
    this.drawMonths(right, data.months, ctx, s);
    return "ready";
  }

  /** This month from the 1st to today against the same days of last month, and last month whole. */
  private drawMonths(box: HTMLElement, report: EnergyReport, ctx: PanelContext, s: Strings): void {
    const thisFirst = firstOfMonth(ctx.today);
    const lastFirst = firstOfMonth(ctx.today, 1);
    const lastLast = lastOfMonth(lastFirst);
    const dayOfMonth = Number(ctx.today.slice(8, 10));
    const sameDay = addDays(lastFirst, Math.min(dayOfMonth, Number(lastLast.slice(8, 10))) - 1);
    const perDay = new Map<string, number>();
    for (const row of report.rows) perDay.set(row.bucket, (perDay.get(row.bucket) ?? 0) + row.energy_kwh);
    const sum = (a: string, b: string): number => daysFrom(a, b).reduce((t, d) => t + (perDay.get(d) ?? 0), 0);
    const now = sum(thisFirst, ctx.today);
    const before = sum(lastFirst, sameDay);
    const whole = sum(lastFirst, lastLast);
    const top = Math.max(now, before, whole, 1);

    const bar = (label: string, value: number, colour: string, key: string): void => {
      const row = add(box, "div", "month-row");
      row.dataset.month = key;
      row.style.margin = "4px 0 8px";
      add(row, "div", "month-label", label).style.color = MUTED;
      const line = add(row, "div");
      line.style.display = "flex";
      line.style.alignItems = "center";
      line.style.gap = "6px";
      const fill = add(line, "div");
      fill.style.height = "10px";
      fill.style.width = `${Math.max(2, (value / top) * 70)}%`;
      fill.style.background = colour;
      fill.style.borderRadius = "2px";
      const figure = add(line, "span", "month-value", `${num(value, ctx.lang)} ${s.kwh}`);
      figure.style.whiteSpace = "nowrap";
      figure.style.fontWeight = "600";
    };
    bar(s.thisMonth(shortDay(thisFirst, ctx.lang), shortDay(ctx.today, ctx.lang)), now, "#56b4e9", "this");
    bar(s.lastMonthSameDays(shortDay(lastFirst, ctx.lang), shortDay(sameDay, ctx.lang)), before, "#a9b4c2", "same-days");
    const change = add(box, "div", "month-change");
    change.style.fontWeight = "600";
    change.style.margin = "0 0 8px";
    if (before > 0) {
      const ratio = now / before - 1;
      change.textContent = s.change(`${ratio >= 0 ? "▲ +" : "▼ "}${pct(ratio)}`);
    } else {
      change.textContent = s.noBaseline;
    }
    bar(s.lastMonthWhole(lastFirst.slice(0, 7)), whole, "#6b7689", "last");
    const foot = add(box, "div", "month-note", s.monthNote);
    foot.style.color = MUTED;
    foot.style.fontSize = "0.85em";
    const coverage = report.totals.length === 1 ? report.totals[0]?.coverage : undefined;
    if (coverage !== undefined) foot.textContent += ` ${s.coverageNote(pct(coverage, 0))}`;
  }
}
