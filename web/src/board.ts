// The area's counts by colour, its child areas' tiles, and (at street and community level)
// one tile per pile. Live changes update these nodes in place: counts move from the previous
// colour to the new one, the pile's tile changes colour and is highlighted for a few seconds.
// Nothing grows with the number of events: only a record per pile on screen.
import { el, setAttr, setText } from "./dom";
import { areaName, t, word } from "./i18n";
import { absolute, relative } from "./time";
import { COLOURS, colourOf } from "./types";
import type { AreaSummary, Board, BoardPile, Colour, ColourCounts, ConnectorPublic } from "./types";

export const HIGHLIGHT_MS = 5_000;

export const SHAPES: Record<Colour, string> = { green: "●", yellow: "▲", red: "■", grey: "◆" };

export function countOf(counts: ColourCounts, colour: Colour): number {
  return colour === "grey" ? counts.unknown : counts[colour];
}

function addCount(counts: ColourCounts, colour: Colour, delta: number): void {
  if (colour === "grey") counts.unknown += delta;
  else counts[colour] += delta;
}

interface PileTile {
  el: HTMLElement;
  state: HTMLElement;
  rel: HTMLElement;
  abs: HTMLElement;
  conns: HTMLElement;
  since: Date;
  colour: Colour;
  cause: string | null;
  connectors: Map<number, HTMLElement>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface AreaTile {
  code: string;
  counts: ColourCounts;
  values: Record<Colour, HTMLElement>;
}

export interface ColourChange {
  pile_id: number;
  colour: string;
  previous: string;
  since: string;
  cause: string | null;
  community: string;
}

/** The counts strip in the header: one block per colour, label + shape + number. */
export class Counts {
  private readonly values = {} as Record<Colour, HTMLElement>;
  private readonly totalValue: HTMLElement;
  private counts: ColourCounts = { green: 0, yellow: 0, red: 0, unknown: 0, total: 0 };
  private readonly labels = {} as Record<Colour, HTMLElement>;
  private readonly totalLabel: HTMLElement;

  constructor(root: HTMLElement) {
    for (const colour of COLOURS) {
      this.values[colour] = el("span", { class: "count-value" }, "0");
      this.labels[colour] = el("span", { class: "count-label" }, t(colour));
      root.append(
        el(
          "div",
          { class: "count", "data-count": colour, "data-colour": colour },
          el("span", { class: "shape", "aria-hidden": "true" }, SHAPES[colour]),
          this.labels[colour],
          this.values[colour],
        ),
      );
    }
    this.totalValue = el("span", { class: "count-value" }, "0");
    this.totalLabel = el("span", { class: "count-label" }, t("total"));
    root.append(el("div", { class: "count total", "data-count": "total" }, this.totalLabel, this.totalValue));
  }

  show(counts: ColourCounts): void {
    this.counts = { ...counts };
    this.render();
  }

  move(from: Colour, to: Colour): void {
    addCount(this.counts, from, -1);
    addCount(this.counts, to, 1);
    this.render();
  }

  relabel(): void {
    for (const colour of COLOURS) setText(this.labels[colour], t(colour));
    setText(this.totalLabel, t("total"));
  }

  private render(): void {
    for (const colour of COLOURS) setText(this.values[colour], String(Math.max(0, countOf(this.counts, colour))));
    setText(this.totalValue, String(this.counts.total));
  }
}

export class BoardView {
  private readonly piles = new Map<number, PileTile>();
  private readonly areas: AreaTile[] = [];
  private board: Board | null = null;
  private communityNames = new Map<string, string>();

  constructor(
    private readonly childRoot: HTMLElement,
    private readonly pileRoot: HTMLElement,
    private readonly note: HTMLElement,
    private readonly onDrill: (code: string) => void,
  ) {}

  /** Draw a freshly read board (replaces the previous area's tiles). */
  show(board: Board): void {
    this.board = board;
    for (const tile of this.piles.values()) clearTimeout(tile.timer);
    this.piles.clear();
    this.areas.length = 0;
    this.communityNames = new Map(board.piles.map((p) => [p.community.code, p.community.name]));
    for (const child of board.children) this.communityNames.set(child.code, child.name);
    this.childRoot.replaceChildren(...board.children.map((child) => this.areaTile(child)));
    this.childRoot.hidden = board.children.length === 0;
    const showPiles = board.area.level === "street" || board.area.level === "community";
    this.pileRoot.replaceChildren(...(showPiles ? board.piles.map((pile) => this.pileTile(pile)) : []));
    this.pileRoot.hidden = !showPiles;
    this.note.hidden = !(showPiles && !board.piles_included);
    setText(this.note, t("tooManyPiles"));
  }

  communityName(code: string): string {
    return this.communityNames.get(code) ?? code;
  }

  /** Connector states, read separately (/v1/piles) at street and community level. */
  showConnectors(piles: { id: number; connectors: ConnectorPublic[] }[]): void {
    for (const pile of piles) {
      const tile = this.piles.get(pile.id);
      if (!tile) continue;
      tile.connectors.clear();
      tile.conns.replaceChildren(
        ...pile.connectors.map((c) => {
          const node = el("span", { class: "conn", "data-state": c.status, title: c.connector_id }, word("conn_", c.status));
          tile.connectors.set(c.id, node);
          return node;
        }),
      );
    }
  }

  hasPile(id: number): boolean {
    return this.piles.has(id);
  }

  /** A `pile.colour` event. Returns whether a tile on screen changed (for the highlight). */
  applyColour(change: ColourChange, counts: Counts): void {
    const to = colourOf(change.colour);
    const from = colourOf(change.previous);
    if (from !== to) {
      counts.move(from, to);
      const child = this.areas.find((a) => change.community.startsWith(a.code));
      if (child) {
        addCount(child.counts, from, -1);
        addCount(child.counts, to, 1);
        this.renderAreaCounts(child);
      }
    }
    const tile = this.piles.get(change.pile_id);
    if (!tile) return;
    tile.colour = to;
    tile.cause = change.cause;
    tile.since = new Date(change.since);
    setAttr(tile.el, "data-colour", to);
    setAttr(tile.el, "data-since", change.since);
    this.renderPileText(tile, Date.now());
    if (from !== to) {
      tile.el.classList.add("changed");
      clearTimeout(tile.timer);
      tile.timer = setTimeout(() => tile.el.classList.remove("changed"), HIGHLIGHT_MS);
    }
  }

  /** A `connector.status` event. */
  applyConnector(pileId: number, connectorId: number, status: string): void {
    const node = this.piles.get(pileId)?.connectors.get(connectorId);
    if (!node) return;
    setAttr(node, "data-state", status);
    setText(node, word("conn_", status));
  }

  /** Relative times age; language changes relabel. */
  tick(now: number): void {
    for (const tile of this.piles.values()) setText(tile.rel, relative(tile.since, now));
  }

  relabel(): void {
    if (this.board) {
      const now = Date.now();
      for (const tile of this.piles.values()) {
        this.renderPileText(tile, now);
        for (const node of tile.connectors.values()) setText(node, word("conn_", node.dataset["state"] ?? "unknown"));
      }
      for (const node of this.childRoot.querySelectorAll<HTMLElement>("[data-area-tile]")) {
        const child = this.board.children.find((c) => c.code === node.dataset["areaTile"]);
        const name = node.querySelector(".area-name");
        if (child && name) setText(name, areaName(child));
      }
      setText(this.note, t("tooManyPiles"));
    }
  }

  private areaTile(child: AreaSummary): HTMLElement {
    const tile: AreaTile = { code: child.code, counts: { ...child.counts }, values: {} as Record<Colour, HTMLElement> };
    const counts = el("div", { class: "area-counts" });
    for (const colour of COLOURS) {
      tile.values[colour] = el("span", { class: "count-value" });
      counts.append(
        el("span", { class: "mini", "data-colour": colour }, el("span", { class: "shape", "aria-hidden": "true" }, SHAPES[colour]), tile.values[colour]),
      );
    }
    this.areas.push(tile);
    this.renderAreaCounts(tile);
    const node = el(
      "button",
      { class: "area-tile", type: "button", "data-area-tile": child.code, "data-level": child.level },
      el("span", { class: "area-name" }, areaName(child)),
      el("span", { class: "area-total" }, String(child.counts.total)),
      counts,
    );
    node.addEventListener("click", () => this.onDrill(child.code));
    return node;
  }

  private renderAreaCounts(tile: AreaTile): void {
    for (const colour of COLOURS) setText(tile.values[colour], String(Math.max(0, countOf(tile.counts, colour))));
  }

  private pileTile(pile: BoardPile): HTMLElement {
    const colour = colourOf(pile.colour);
    const state = el("span", { class: "pile-colour" });
    const rel = el("span", { class: "rel" });
    const abs = el("span", { class: "abs" });
    const conns = el("span", { class: "conns" });
    const node = el(
      "div",
      {
        class: "pile",
        "data-pile": String(pile.id),
        "data-colour": colour,
        "data-community": pile.community.code,
        "data-since": pile.colour_since,
      },
      el("span", { class: "shape", "aria-hidden": "true" }),
      el("span", { class: "pile-code" }, pile.equipment_id),
      el("span", { class: "pile-state" }, state, conns),
      el("span", { class: "pile-community" }, pile.community.name),
      el("span", { class: "pile-since" }, rel, abs),
    );
    const tile: PileTile = {
      el: node,
      state,
      rel,
      abs,
      conns,
      since: new Date(pile.colour_since),
      colour,
      cause: pile.colour_cause,
      connectors: new Map(),
      timer: undefined,
    };
    this.piles.set(pile.id, tile);
    this.renderPileText(tile, Date.now());
    return node;
  }

  private renderPileText(tile: PileTile, now: number): void {
    // The cause when it says more than the colour's word (yellow's "fault" does not).
    const cause = tile.cause && tile.colour !== "green" ? word("cause_", tile.cause) : "";
    const label = cause && cause.toLowerCase() !== t(tile.colour).toLowerCase() ? `${t(tile.colour)} · ${cause}` : t(tile.colour);
    setText(tile.state, label);
    setText(tile.rel, relative(tile.since, now));
    setText(tile.abs, absolute(tile.since));
  }
}
