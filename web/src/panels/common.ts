// What every panel shares: its own DOM (title, status line, body), stale-answer protection,
// error display, and the calendar arithmetic on the hub's local dates.
import { ApiError, type Lang, type Panel, type PanelContext } from "./contract";
import { type Chart, echarts, MUTED, TEXT } from "./charts";
import type { Jurisdiction } from "./api";
import { type Strings, strings } from "./strings";

// Below this width a panel's two parts stack instead of standing side by side.
const WIDE_PX = 620;

export type PanelState = "loading" | "ready" | "empty" | "error";

/** A panel's skeleton. Subclasses implement `load` (fetch) and `draw` (render); the base keeps
 * answers that arrive after a newer update from drawing, and shows errors in the panel. */
export abstract class BasePanel<T> implements Panel {
  protected readonly head: HTMLElement;
  protected readonly status: HTMLElement;
  protected readonly body: HTMLElement;
  protected charts: Chart[] = [];
  private splits: Array<{ box: HTMLElement; parts: [HTMLElement, HTMLElement]; grow: [number, number]; tall: 0 | 1 | null }> = [];
  private generation = 0;
  /** `area|lang` of the figures on show, or null. */
  private shown: string | null = null;
  private observer: ResizeObserver | null = null;

  constructor(protected readonly el: HTMLElement) {
    el.replaceChildren();
    el.style.display = "flex";
    el.style.flexDirection = "column";
    el.style.minHeight = "0";
    el.style.color = TEXT;
    this.head = add(el, "h2", "panel-title");
    this.head.style.margin = "0 0 4px";
    this.head.style.fontSize = "1.05em";
    this.status = add(el, "div", "panel-status");
    this.status.style.color = MUTED;
    this.status.style.fontSize = "0.9em";
    this.status.setAttribute("role", "status");
    this.body = add(el, "div", "panel-body");
    this.body.style.flex = "1 1 auto";
    this.body.style.minHeight = "0";
    this.body.style.display = "flex";
    this.body.style.flexDirection = "column";
    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => this.resize());
      this.observer.observe(el);
    }
  }

  protected abstract title(s: Strings): string;
  protected abstract load(ctx: PanelContext): Promise<T>;
  /** Draw the answer; return "empty" when there is nothing to show. */
  protected abstract draw(data: T, ctx: PanelContext, s: Strings): PanelState;

  async update(ctx: PanelContext): Promise<void> {
    const mine = ++this.generation;
    const s = strings(ctx.lang);
    const key = `${ctx.area}|${ctx.lang}`;
    this.head.textContent = this.title(s);
    if (key !== this.shown) {
      // Another area or language: the figures on show no longer answer the question.
      this.clearBody();
      this.shown = null;
      this.setState("loading", s.loading);
    }
    let data: T;
    try {
      data = await this.load(ctx);
    } catch (error) {
      if (mine !== this.generation) return;
      // A periodic refresh that fails keeps the last figures of this same area, saying so.
      const stale = this.shown === key ? ` ${s.stale}` : "";
      if (!stale) this.clearBody();
      this.setState("error", `${describe(error, s)}${stale}`);
      return;
    }
    if (mine !== this.generation) return; // a newer area or language superseded this answer
    try {
      this.clearBody();
      const state = this.draw(data, ctx, s);
      this.shown = key;
      this.setState(state, state === "empty" ? s.noData : "");
      this.resize(); // the parts' sizes are known only now that both are filled
    } catch (error) {
      this.clearBody();
      this.shown = null;
      this.setState("error", describe(error, s));
    }
  }

  resize(): void {
    this.layout();
    for (const chart of this.charts) chart.resize();
  }

  /** Two parts side by side in a wide panel, one above the other in a narrow one (the wall's
   * grid gives a panel about 400 px; a 2×2 layout would give it 900). `grow` is each part's
   * share of the width when side by side; stacked, part `tall` (the chart) takes the height. */
  protected split(grow: [number, number], tall: 0 | 1 | null): { first: HTMLElement; second: HTMLElement } {
    const box = add(this.body, "div", "panel-split");
    box.style.display = "flex";
    box.style.gap = "10px";
    box.style.flex = "1 1 auto";
    box.style.minHeight = "0";
    const first = add(box, "div", "panel-part");
    const second = add(box, "div", "panel-part");
    for (const part of [first, second]) {
      part.style.minWidth = "0";
      part.style.minHeight = "0";
      part.style.display = "flex";
      part.style.flexDirection = "column";
    }
    this.splits.push({ box, parts: [first, second], grow, tall });
    this.layout();
    return { first, second };
  }

  private layout(): void {
    const wide = this.el.clientWidth >= WIDE_PX;
    for (const { box, parts, grow, tall } of this.splits) {
      box.style.flexDirection = wide ? "row" : "column";
      parts.forEach((part, i) => {
        part.style.flex = wide ? `${grow[i]} 1 0` : i === tall ? "1 1 auto" : "0 0 auto";
      });
    }
  }

  dispose(): void {
    this.generation++;
    this.observer?.disconnect();
    this.clearBody();
    this.el.replaceChildren();
  }

  protected setState(state: PanelState, text: string): void {
    this.el.dataset.state = state;
    this.status.textContent = text;
    this.status.style.display = text ? "" : "none";
    this.status.style.color = state === "error" ? "#ffb4a8" : MUTED; // ≈ 10:1 on the wall ground
  }

  protected chartIn(parent: HTMLElement, minHeight: number): Chart {
    const box = add(parent, "div", "panel-chart");
    box.style.flex = "1 1 auto";
    box.style.minHeight = `${minHeight}px`;
    box.style.width = "100%";
    // The canvas has no text of its own; the panel's title and text around it carry the figures.
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", this.head.textContent ?? "");
    const chart = echarts.init(box, undefined, { renderer: "canvas" });
    this.charts.push(chart);
    return chart;
  }

  private clearBody(): void {
    for (const chart of this.charts) chart.dispose();
    this.charts = [];
    this.splits = [];
    this.body.replaceChildren();
  }
}

export function add<K extends keyof HTMLElementTagNameMap>(
  parent: HTMLElement,
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  parent.appendChild(node);
  return node;
}

export function describe(error: unknown, s: Strings): string {
  if (error instanceof ApiError) {
    const detail = error.detail ? ` — ${error.detail}` : "";
    return `${s.errorPrefix}: ${error.status} ${error.title}${detail}`;
  }
  return `${s.errorPrefix}: ${error instanceof Error ? error.message : String(error)}`;
}

// Calendar arithmetic on YYYY-MM-DD local dates (UTC Date objects used as plain calendars).
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function firstOfMonth(day: string, monthsBack = 0): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return d.toISOString().slice(0, 10);
}

export function lastOfMonth(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

export function daysFrom(first: string, last: string): string[] {
  const out: string[] = [];
  for (let day = first; day <= last; day = addDays(day, 1)) out.push(day);
  return out;
}

/** The last 30 local days up to today: the bounded window every panel asks for. */
export function last30(ctx: PanelContext): { from: string; to: string } {
  return { from: addDays(ctx.today, -29), to: ctx.today };
}

export function shortDay(day: string, lang: Lang): string {
  const [, m, d] = day.split("-");
  return lang === "en" ? `${m}-${d}` : `${Number(m)}月${Number(d)}日`;
}

export function pct(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(digits)}%`;
}

export function num(value: number, lang: Lang, digits = 1): string {
  return value.toLocaleString(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Hours as the clock reads them: [17, 18, 19, 22] → "17:00–20:00, 22:00–23:00". */
export function hourRanges(hours: readonly number[]): string {
  const sorted = [...hours].sort((a, b) => a - b);
  const runs: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i] as number;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) end = sorted[++i] as number;
    runs.push(`${clock(start)}–${clock(end + 1)}`);
    i++;
  }
  return runs.join(", ");
}

export function clock(hour: number): string {
  return `${String(hour % 24 === 0 && hour > 0 ? 24 : hour).padStart(2, "0")}:00`;
}

export function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

/** Display names of the area and its children in the screen's language, and the area's pile
 * count. English names exist only for some units (name_en), so the Chinese name stands in. One
 * request per area, shared by the panels; a failure only costs the English names. */
interface AreaFacts {
  names: Map<string, { zh: string; en: string | null }>;
  piles: number | null;
}
const factCache = new Map<string, Promise<AreaFacts>>();

export type NameOf = (code: string, fallback: string | null) => string;

// Names of units below the area's children (communities seen from a district or city) as other
// answers give them (guidance lists every community with its name), so a pile's community
// reads as a name, not a 12-digit code, once any panel has seen it.
const learnt = new Map<string, string>();
const LEARNT_MAX = 20000;

export function learnNames(refs: Iterable<{ code: string; name: string | null }>): void {
  for (const ref of refs) {
    if (ref.name && learnt.size < LEARNT_MAX) learnt.set(ref.code, ref.name);
  }
}

export async function areaInfo(ctx: PanelContext): Promise<{ name: NameOf; piles: number | null }> {
  let pending = factCache.get(ctx.area);
  if (pending === undefined) {
    pending = ctx
      .api<Jurisdiction>(`/v1/jurisdictions/${encodeURIComponent(ctx.area)}`)
      .then((j) => {
        const names = new Map<string, { zh: string; en: string | null }>();
        names.set(j.code, { zh: j.name, en: j.name_en });
        for (const child of j.children) names.set(child.code, { zh: child.name, en: child.name_en });
        return { names, piles: j.counts?.total ?? null };
      })
      .catch(() => {
        factCache.delete(ctx.area);
        return { names: new Map(), piles: null };
      });
    factCache.set(ctx.area, pending);
  }
  const facts = await pending;
  const name: NameOf = (code, fallback) => {
    const known = facts.names.get(code);
    if (known === undefined) return fallback ?? learnt.get(code) ?? code;
    return ctx.lang === "en" ? (known.en ?? known.zh) : known.zh;
  };
  return { name, piles: facts.piles };
}

export async function areaNames(ctx: PanelContext): Promise<NameOf> {
  return (await areaInfo(ctx)).name;
}

export interface LegendItem {
  label: string;
  colour: string;
  /** "hatched": a striped swatch (a non-solid period); "line"/"dashed": a line's sample. */
  mark?: "solid" | "hatched" | "line" | "dashed";
}

/** A legend in the page, not in the canvas: it wraps in a narrow panel and the chart below it
 * takes what height is left (an ECharts legend would need its rows guessed). */
export function legend(parent: HTMLElement, items: readonly LegendItem[]): HTMLElement {
  const box = add(parent, "div", "panel-legend");
  box.style.display = "flex";
  box.style.flexWrap = "wrap";
  box.style.gap = "2px 10px";
  box.style.fontSize = "0.8em";
  box.style.flex = "0 0 auto";
  for (const item of items) {
    const entry = add(box, "span", "legend-item");
    entry.style.display = "inline-flex";
    entry.style.alignItems = "center";
    entry.style.gap = "4px";
    entry.style.whiteSpace = "nowrap";
    const swatch = add(entry, "span", "legend-swatch");
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.display = "inline-block";
    const mark = item.mark ?? "solid";
    if (mark === "line" || mark === "dashed") {
      swatch.style.width = "16px";
      swatch.style.height = "0";
      swatch.style.borderTop = `2px ${mark === "dashed" ? "dashed" : "solid"} ${item.colour}`;
    } else {
      swatch.style.width = "11px";
      swatch.style.height = "11px";
      swatch.style.borderRadius = "2px";
      swatch.style.background =
        mark === "hatched"
          ? `repeating-linear-gradient(45deg, ${item.colour} 0 2px, rgba(11, 18, 32, 0.9) 2px 4px)`
          : item.colour;
    }
    const text = add(entry, "span", undefined, item.label);
    text.style.overflow = "hidden";
    text.style.textOverflow = "ellipsis";
    text.style.maxWidth = "11em";
  }
  return box;
}
