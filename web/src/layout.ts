// The page's fixed structure (ids are the DOM contract that tests and benches rely on).
import { el } from "./dom";

export interface Layout {
  root: HTMLElement;
  breadcrumb: HTMLElement;
  areaName: HTMLElement;
  level: HTMLElement;
  counts: HTMLElement;
  clock: HTMLElement;
  date: HTMLElement;
  lastChangeLabel: HTMLElement;
  lastChange: HTMLElement;
  conn: HTMLElement;
  connLabel: HTMLElement;
  lang: HTMLButtonElement;
  message: HTMLElement;
  signin: HTMLElement;
  signinTitle: HTMLElement;
  userCode: HTMLElement;
  signinHint: HTMLElement;
  verification: HTMLAnchorElement;
  signinAdmin: HTMLElement;
  adminCommand: HTMLElement;
  tilesTitle: HTMLElement;
  children: HTMLElement;
  pileNote: HTMLElement;
  piles: HTMLElement;
  mapTitle: HTMLElement;
  mapNote: HTMLElement;
  map: HTMLElement;
  alertsTitle: HTMLElement;
  alerts: HTMLElement;
  panels: Record<"energy" | "utilisation" | "guidance" | "uptime", HTMLElement>;
}

export function buildLayout(host: HTMLElement): Layout {
  const l = {
    breadcrumb: el("nav", { id: "breadcrumb", class: "breadcrumb" }),
    areaName: el("h1", { id: "area-name", "data-area": "" }),
    level: el("span", { class: "level" }),
    counts: el("div", { id: "counts", class: "counts" }),
    clock: el("div", { id: "clock", class: "clock" }),
    date: el("div", { id: "date", class: "date" }),
    lastChangeLabel: el("span"),
    lastChange: el("span", { id: "last-change" }),
    connLabel: el("span", { class: "conn-label" }),
    lang: el("button", { id: "lang", type: "button" }),
    message: el("div", { id: "message", role: "alert" }),
    signinTitle: el("h2"),
    userCode: el("div", { id: "user-code" }),
    signinHint: el("p"),
    verification: el("a", { id: "verification-uri" }),
    signinAdmin: el("p"),
    adminCommand: el("code", { id: "admin-command" }),
    tilesTitle: el("h2"),
    children: el("div", { id: "children", class: "children" }),
    pileNote: el("p", { id: "pile-note", class: "note" }),
    piles: el("div", { id: "piles", class: "piles" }),
    mapTitle: el("h2"),
    mapNote: el("p", { class: "note map-note" }),
    map: el("div", { id: "map", class: "map" }),
    alertsTitle: el("h2"),
    alerts: el("div", { id: "alerts", class: "alerts" }),
  };
  const conn = el("div", { id: "conn", "data-state": "signing-in", role: "status" }, el("span", { class: "conn-shape", "aria-hidden": "true" }), l.connLabel);
  const signin = el(
    "div",
    { id: "signin", class: "signin" },
    el("div", { class: "signin-box" }, l.signinTitle, l.userCode, l.signinHint, l.verification, l.signinAdmin, l.adminCommand),
  );
  const panels = {
    energy: el("section", { id: "panel-energy", class: "panel chart" }),
    utilisation: el("section", { id: "panel-utilisation", class: "panel chart" }),
    guidance: el("section", { id: "panel-guidance", class: "panel chart" }),
    uptime: el("section", { id: "panel-uptime", class: "panel chart" }),
  };
  const root = el(
    "div",
    { class: "wall" },
    el(
      "header",
      { class: "top" },
      el("div", { class: "title" }, l.breadcrumb, el("div", { class: "name-line" }, l.areaName, l.level)),
      l.counts,
      el("div", { class: "status" }, el("div", { class: "time" }, l.clock, l.date), el("div", { class: "fresh" }, conn, el("div", { class: "last" }, l.lastChangeLabel, " ", l.lastChange)), l.lang),
    ),
    l.message,
    el(
      "main",
      { class: "grid" },
      el("section", { class: "panel tiles", id: "tiles" }, l.tilesTitle, l.children, l.pileNote, l.piles),
      el("section", { class: "panel map-panel" }, l.mapTitle, l.mapNote, l.map),
      el("section", { class: "panel alerts-panel" }, l.alertsTitle, l.alerts),
      panels.energy,
      panels.utilisation,
      panels.guidance,
      panels.uptime,
    ),
    signin,
  );
  l.message.hidden = true;
  signin.hidden = true;
  host.replaceChildren(root);
  return { ...l, root, conn, signin, panels };
}
