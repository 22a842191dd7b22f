// Energy: the last 30 days per child area as stacked time-of-use bars (one stack per area, one
// segment per period), and this month so far against the same days of last month.
import type { PanelContext } from "./contract";
import type { EnergyReport } from "./api";
import { axisStyle, baseOption, GROUP_COLOURS, HATCH, MUTED } from "./charts";
import {
  add,
  addDays,
  areaNames,
  BasePanel,
  legend,
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

interface MonthWindows {
  thisMonth: EnergyReport;
  sameDays: EnergyReport;
  lastMonth: EnergyReport;
}

/** This month's first day, and last month's first, same-numbered (clipped) and last days. */
function monthWindows(today: string): { thisFirst: string; lastFirst: string; sameDay: string; lastLast: string } {
  const lastFirst = firstOfMonth(today, 1);
  const lastLast = lastOfMonth(lastFirst);
  const sameDay = addDays(lastFirst, Math.min(Number(today.slice(8, 10)), Number(lastLast.slice(8, 10))) - 1);
  return { thisFirst: firstOfMonth(today), lastFirst, sameDay, lastLast };
}

/** A window's kWh (summed over the groups: a city's districts) and its observed share. */
function windowTotal(report: EnergyReport): { kwh: number; coverage: number | null } {
  let kwh = 0;
  let observed = 0;
  let range = 0;
  for (const t of report.totals) {
    kwh += t.energy_kwh;
    observed += t.observed_hours;
    range += t.range_hours;
  }
  return { kwh, coverage: range > 0 ? observed / range : null };
}

// The hub states shares of time only when at least half the range was observed (its default
// PILEHUB_ENERGY__MIN_COVERAGE); the comparison follows the same rule.
const MIN_COVERAGE = 0.5;

interface EnergyData {
  days: EnergyReport;
  months: MonthWindows;
  name: (code: string, fallback: string | null) => string;
}

export class EnergyPanel extends BasePanel<EnergyData> {
  protected title(s: Strings): string {
    return s.energyTitle;
  }

  protected async load(ctx: PanelContext): Promise<EnergyData> {
    const { from, to } = last30(ctx);
    const area = ctx.area;
    const whole = (first: string, last: string): Promise<EnergyReport> =>
      ctx.api<EnergyReport>(
        `/v1/energy?${query({ area, granularity: "month", from: first, to: last, group_by: ownLevel(ctx.level) })}`,
      );
    const w = monthWindows(ctx.today);
    // Four bounded answers: 30 days by child area (rows ≤ 30 × children), and three month
    // windows of the area itself, each with its own total and the share of it observed, so a
    // window the hub barely saw is not compared as if it were a real low.
    const [days, thisMonth, sameDays, lastMonth, name] = await Promise.all([
      ctx.api<EnergyReport>(
        `/v1/energy?${query({ area, granularity: "day", from, to, group_by: childLevel(ctx.level) })}`,
      ),
      whole(w.thisFirst, ctx.today),
      whole(w.lastFirst, w.sameDay),
      whole(w.lastFirst, w.lastLast),
      areaNames(ctx),
    ]);
    return { days, months: { thisMonth, sameDays, lastMonth }, name };
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
      const others = groups.length > shown.length ? groups.length - 1 : -1; // -1: no "others"
      const g = shownCodes.has(row.group.code) ? groups.findIndex((x) => x.code === row.group.code) : others;
      const d = index.get(row.bucket);
      if (g < 0 || d === undefined) continue;
      periods.forEach((p, pi) => {
        const series = values[g]?.[pi];
        if (series) series[d] = (series[d] ?? 0) + (row.by_period[p] ?? 0);
      });
    }

    const { first: left, second: right } = this.split([3, 1.2], 0);
    right.classList.add("energy-month");
    right.style.fontSize = "0.85em";
    right.style.marginTop = "4px";

    const total = totals.reduce((sum, t) => sum + t.energy_kwh, 0);
    if (total > 0) {
      legend(left, [
        ...groups.map((g, gi) => ({ label: g.label, colour: GROUP_COLOURS[gi % GROUP_COLOURS.length] ?? MUTED })),
        ...periods.map((p, pi) => ({ label: s.period(p), colour: MUTED, mark: pi === 0 ? ("solid" as const) : ("hatched" as const) })),
      ]);
      const chart = this.chartIn(left, 120);
      // Periods are told apart by the hatch (the legend's grey swatches) and in the tooltip.
      const periodOf: string[] = [];
      const series = groups.flatMap((g, gi) =>
        periods.map((p, pi) => {
          periodOf.push(s.period(p));
          return {
            type: "bar" as const,
            name: g.label,
            // One stack a day: each area's periods in turn, so the bar's height is the area's
            // day and a narrow wall panel still has room for 30 bars.
            stack: "day",
            barMaxWidth: 16,
            data: (values[gi]?.[pi] ?? []).map((v) => Math.round(v * 10) / 10),
            itemStyle: {
              color: GROUP_COLOURS[gi % GROUP_COLOURS.length],
              // The first period (峰) solid, the others hatched: told apart without colour.
              decal: pi === 0 ? undefined : HATCH,
            },
          };
        }),
      );
      type Item = { seriesIndex: number; seriesName: string; value: number; marker: string; axisValue: string };
      const tooltipText = (items: Item[]): string => {
        const lines = items
          .filter((i) => i.value > 0)
          .map((i) => `${i.marker}${i.seriesName} ${periodOf[i.seriesIndex] ?? ""}: ${num(i.value, ctx.lang)} ${s.kwh}`);
        return [items[0]?.axisValue ?? "", ...lines].join("<br/>");
      };
      chart.setOption({
        ...baseOption(),
        grid: { left: 4, right: 8, top: 10, bottom: 4, containLabel: true },
        tooltip: {
          ...(baseOption().tooltip as object),
          trigger: "axis",
          axisPointer: { type: "shadow" },
          formatter: tooltipText,
        },
        xAxis: { type: "category", data: dayList.map((d) => shortDay(d, ctx.lang)), ...axisStyle() },
        yAxis: { type: "value", ...axisStyle() },
        series,
      });
    } else {
      // A 0 with observed time is a real 0; without any, the hub simply has no data.
      const observed = totals.reduce((sum, t) => sum + t.observed_hours, 0);
      const empty = add(left, "div", "panel-empty", observed > 0 ? s.energyEmpty : s.energyUnobserved);
      empty.style.color = MUTED;
      empty.style.margin = "auto";
    }
    this.drawMonths(right, data.months, ctx, s);
    return "ready";
  }

  /** This month from the 1st to today against the same days of last month, and last month whole. */
  private drawMonths(box: HTMLElement, m: MonthWindows, ctx: PanelContext, s: Strings): void {
    const w = monthWindows(ctx.today);
    const now = windowTotal(m.thisMonth);
    const before = windowTotal(m.sameDays);
    const whole = windowTotal(m.lastMonth);

    const row = (label: string, value: { kwh: number; coverage: number | null }, key: string): void => {
      const line = add(box, "div", "month-row");
      line.dataset.month = key;
      line.style.display = "flex";
      line.style.flexWrap = "wrap";
      line.style.alignItems = "baseline";
      line.style.gap = "0 6px";
      line.style.margin = "1px 0";
      add(line, "span", "month-label", label).style.color = MUTED;
      const figure = add(line, "strong", "month-value", `${num(value.kwh, ctx.lang)} ${s.kwh}`);
      figure.style.whiteSpace = "nowrap";
      figure.style.marginLeft = "auto";
      const seen = add(line, "span", "month-coverage", s.coverageNote(pct(value.coverage, 0)));
      seen.style.color = MUTED;
      seen.style.fontSize = "0.9em";
      seen.style.whiteSpace = "nowrap";
    };
    const dayOf = (day: string): number => Number(day.slice(8, 10));
    row(s.thisMonth(dayOf(ctx.today)), now, "this");
    row(s.lastMonthSameDays(dayOf(w.sameDay)), before, "same-days");
    const change = add(box, "div", "month-change");
    change.style.fontWeight = "600";
    if (before.coverage === null || before.coverage < MIN_COVERAGE || now.coverage === null || now.coverage < MIN_COVERAGE) {
      change.textContent = s.notComparable;
    } else if (before.kwh > 0) {
      const ratio = now.kwh / before.kwh - 1;
      change.textContent = s.change(`${ratio >= 0 ? "▲ +" : "▼ "}${pct(ratio)}`);
    } else {
      change.textContent = s.noBaseline;
    }
    row(s.lastMonthWhole(Number(w.lastFirst.slice(5, 7))), whole, "last");
    const foot = add(box, "div", "month-note", s.monthNote);
    foot.style.color = MUTED;
    foot.style.fontSize = "0.85em";
    foot.style.marginTop = "2px";
  }
}
