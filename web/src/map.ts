// The area's piles at their WGS84 positions (/v1/map) on a plain canvas: Web-Mercator
// projected to the area's extent, no tiles (nothing loads from the internet). One canvas
// whatever the number of piles: typed arrays, no DOM node per pile; redraws are coalesced into
// one animation frame.
import { HIGHLIGHT_MS } from "./board";
import { colourOf } from "./types";
import type { Colour, MapCollection } from "./types";

const COLOUR_INDEX: Record<Colour, number> = { green: 0, yellow: 1, red: 2, grey: 3 };
const FILL = ["#3fb950", "#e3b341", "#f85149", "#8b949e"];

function mercatorY(lat: number): number {
  const phi = (Math.max(-85, Math.min(85, lat)) * Math.PI) / 180;
  return Math.log(Math.tan(Math.PI / 4 + phi / 2));
}

export class MapView {
  private readonly canvas: HTMLCanvasElement;
  private xs = new Float64Array(0);
  private ys = new Float64Array(0);
  private colours = new Uint8Array(0);
  private highlightUntil = new Float64Array(0);
  private index = new Map<number, number>();
  private frame = 0;
  private highlightTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement) {
    this.canvas = document.createElement("canvas");
    this.canvas.setAttribute("aria-hidden", "true");
    root.append(this.canvas);
    new ResizeObserver(() => this.redraw()).observe(root);
  }

  show(collection: MapCollection | null): void {
    const located = collection ? collection.features.filter((f) => f.geometry) : [];
    const n = located.length;
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.colours = new Uint8Array(n);
    this.highlightUntil = new Float64Array(n);
    this.index = new Map();
    located.forEach((feature, i) => {
      const [lng, lat] = feature.geometry?.coordinates ?? [0, 0];
      this.xs[i] = (lng * Math.PI) / 180;
      this.ys[i] = mercatorY(lat);
      this.colours[i] = COLOUR_INDEX[colourOf(feature.properties.colour)];
      this.index.set(feature.id, i);
    });
    this.redraw();
  }

  get size(): number {
    return this.xs.length;
  }

  setColour(pileId: number, colour: string): void {
    const i = this.index.get(pileId);
    if (i === undefined) return;
    const next = COLOUR_INDEX[colourOf(colour)];
    if (this.colours[i] === next) return;
    this.colours[i] = next;
    this.highlightUntil[i] = performance.now() + HIGHLIGHT_MS;
    clearTimeout(this.highlightTimer);
    this.highlightTimer = setTimeout(() => this.redraw(), HIGHLIGHT_MS + 50);
    this.redraw();
  }

  redraw(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    const width = this.root.clientWidth;
    const height = this.root.clientHeight;
    if (width === 0 || height === 0) return;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const n = this.xs.length;
    if (n === 0) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = this.xs[i] ?? 0;
      const y = this.ys[i] ?? 0;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    // The extent with a margin, kept to scale (the same metres per pixel both ways); a single
    // pile gets a small extent around it.
    const spanX = Math.max(maxX - minX, 1e-5);
    const spanY = Math.max(maxY - minY, 1e-5);
    const pad = 18;
    const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
    const offsetX = (width - spanX * scale) / 2;
    const offsetY = (height - spanY * scale) / 2;
    const radius = n > 5000 ? 1.5 : n > 500 ? 3 : 7;
    const now = performance.now();
    this.grid(ctx, width, height);
    // Grey first, then green, yellow, red: the troubled piles are drawn on top.
    for (const colour of [3, 0, 1, 2]) {
      ctx.fillStyle = FILL[colour] ?? "#fff";
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (this.colours[i] !== colour) continue;
        const x = offsetX + ((this.xs[i] ?? 0) - minX) * scale;
        const y = height - (offsetY + ((this.ys[i] ?? 0) - minY) * scale);
        this.shape(ctx, colour, x, y, radius);
      }
      ctx.fill();
    }
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 2;
    for (let i = 0; i < n; i++) {
      if ((this.highlightUntil[i] ?? 0) <= now) continue;
      const x = offsetX + ((this.xs[i] ?? 0) - minX) * scale;
      const y = height - (offsetY + ((this.ys[i] ?? 0) - minY) * scale);
      ctx.beginPath();
      ctx.arc(x, y, radius + 6, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  private grid(ctx: CanvasRenderingContext2D, width: number, height: number): void {
    ctx.strokeStyle = "rgba(139, 148, 158, 0.15)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let x = 0; x < width; x += 60) {
      ctx.moveTo(x + 0.5, 0);
      ctx.lineTo(x + 0.5, height);
    }
    for (let y = 0; y < height; y += 60) {
      ctx.moveTo(0, y + 0.5);
      ctx.lineTo(width, y + 0.5);
    }
    ctx.stroke();
  }

  /** The colour's shape (circle, triangle, square, diamond) as a sub-path of the current path. */
  private shape(ctx: CanvasRenderingContext2D, colour: number, x: number, y: number, r: number): void {
    if (r < 2) {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      return;
    }
    switch (colour) {
      case 0:
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        break;
      case 1:
        ctx.moveTo(x, y - r * 1.15);
        ctx.lineTo(x + r * 1.1, y + r * 0.85);
        ctx.lineTo(x - r * 1.1, y + r * 0.85);
        ctx.closePath();
        break;
      case 2:
        ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
        break;
      default:
        ctx.moveTo(x, y - r * 1.2);
        ctx.lineTo(x + r, y);
        ctx.lineTo(x, y + r * 1.2);
        ctx.lineTo(x - r, y);
        ctx.closePath();
    }
  }
}
