// The big screen's shell: sign-in, the area on screen (the URL's `?area=`, drill-down with
// pushState, up again with the back button), the live feed, and the panels.
import "./screen.css";
import { AlertsView } from "./alerts";
import { Api, ApiError } from "./api";
import { Auth } from "./auth";
import type { AuthState, DeviceCode } from "./auth";
import { BoardView, Counts } from "./board";
import type { ColourChange } from "./board";
import { byId, el, setAttr, setText } from "./dom";
import { areaName, initialLang, lang, setLang, t, word } from "./i18n";
import { buildLayout } from "./layout";
import { Live } from "./live";
import type { LiveEvent, LiveState } from "./live";
import { MapView } from "./map";
import { PANEL_IDS, createPanel } from "./panels/index";
import type { Panel, PanelContext } from "./panels/contract";
import { clock, dateLine, relative, today } from "./time";
import type { Alert, Board, Jurisdiction, Level, MapCollection, Page, PilePublic } from "./types";

type ConnState = "signing-in" | "live" | "reconnecting" | "forbidden" | "revoked" | "error";

interface Instrumentation {
  applied: number;
  lastEventId: number;
  state: ConnState;
  applyMs: number;
}

declare global {
  interface Window {
    __pilehub: Instrumentation;
  }
}

const PANEL_REFRESH_MS = 5 * 60_000;
// Above this many piles the map is not drawn (a city's /v1/map is tens of megabytes): the
// counts and child tiles say it, and the districts' maps are a click away.
const MAP_MAX_PILES = 20_000;

const params = new URLSearchParams(location.search);
// `?lang=` presets this page; only the switch is remembered.
setLang(initialLang(params), false);

const ui = buildLayout(byId("app"));
const instrumentation: Instrumentation = { applied: 0, lastEventId: 0, state: "signing-in", applyMs: 0 };
window.__pilehub = instrumentation;

let authState: AuthState = "signing-in";
let liveState: LiveState | "idle" = "idle";
let refused = false;
let deviceCode: DeviceCode | null = null;
let codeNote: "new" | "expired" | "denied" = "new";
let ownArea: string | null = null;
let board: Board | null = null;
let loadGeneration = 0;
let lastChange: Date | null = null;
let reloadTimer: ReturnType<typeof setTimeout> | undefined;
const names = new Map<string, { name: string; name_en: string | null }>();

const auth = new Auth(
  (state) => {
    const wasRevoked = authState === "revoked";
    authState = state;
    renderConn();
    if (wasRevoked && state === "signed-in") {
      // Approved again, perhaps for another area: start from the screen's (new) own area.
      ownArea = null;
      void load(areaFromUrl());
    }
  },
  (code, note) => {
    deviceCode = code;
    codeNote = note;
    renderSignin();
  },
);
const api = new Api(auth);
const counts = new Counts(ui.counts);
const boardView = new BoardView(ui.children, ui.piles, ui.pileNote, (code) => navigate(code));
const mapView = new MapView(ui.map);
const alertsView = new AlertsView(ui.alerts, api, (code) => boardView.communityName(code));
const live = new Live(auth, applyEvent, (state) => {
  liveState = state;
  if (state === "forbidden") refused = true;
  renderConn();
});
const panels = new Map<string, Panel>();
for (const id of PANEL_IDS) panels.set(id, createPanel(id, ui.panels[id]));

// ---- connection state --------------------------------------------------------------------

function connState(): ConnState {
  if (authState === "revoked") return "revoked";
  if (authState === "signing-in") return "signing-in";
  if (refused) return "forbidden";
  if (authState === "error") return "error";
  if (liveState === "idle") return "reconnecting";
  return liveState;
}

const CONN_LABELS: Record<ConnState, () => string> = {
  "signing-in": () => t("signingIn"),
  live: () => t("live"),
  reconnecting: () => t("reconnecting"),
  forbidden: () => t("forbidden"),
  revoked: () => t("revoked"),
  error: () => t("error"),
};

function renderConn(): void {
  const state = connState();
  instrumentation.state = state;
  setAttr(ui.conn, "data-state", state);
  setText(ui.connLabel, CONN_LABELS[state]());
  renderSignin();
}

function renderSignin(): void {
  const show = deviceCode !== null && (authState === "signing-in" || authState === "revoked");
  ui.signin.hidden = !show;
  if (!show || !deviceCode) {
    setText(ui.userCode, ""); // a used code is not left in the page
    return;
  }
  setText(
    ui.signinTitle,
    authState === "revoked" ? t("revokedHint") : codeNote === "denied" ? t("denied") : codeNote === "expired" ? t("expiredCode") : t("userCodeTitle"),
  );
  setText(ui.userCode, deviceCode.userCode);
  setText(ui.signinHint, t("userCodeHint"));
  setText(ui.verification, deviceCode.verificationUri);
  ui.verification.href = deviceCode.verificationUri;
  setText(ui.signinAdmin, t("userCodeAdmin"));
  setText(ui.adminCommand, `pilehub screens approve ${deviceCode.userCode} --area ${areaFromUrl() ?? t("areaCode")}`);
}

// ---- the area ----------------------------------------------------------------------------

function areaFromUrl(): string | null {
  const area = new URLSearchParams(location.search).get("area");
  return area && /^[0-9]{6,12}$/.test(area) ? area : null;
}

function navigate(code: string): void {
  const url = new URL(location.href);
  url.searchParams.set("area", code);
  history.pushState({ area: code }, "", url);
  void load(code);
}

window.addEventListener("popstate", () => void load(areaFromUrl()));

function remember(area: { code: string; name: string; name_en: string | null }): void {
  names.set(area.code, { name: area.name, name_en: area.name_en });
}

async function load(requested: string | null): Promise<void> {
  const generation = ++loadGeneration;
  live.stop();
  liveState = "idle";
  let fresh: Board;
  try {
    if (ownArea === null) {
      // The screen's own area: its board without `area`.
      const own = await api.get<Board>("/v1/board");
      ownArea = own.area.code;
      remember(own.area);
      fresh = requested && requested !== ownArea ? await api.get<Board>(`/v1/board?area=${requested}`) : own;
    } else {
      fresh = await api.get<Board>(`/v1/board?area=${requested ?? ownArea}`);
    }
  } catch (error) {
    if (generation !== loadGeneration) return;
    showRefusal(error, requested);
    return;
  }
  if (generation !== loadGeneration) return;
  refused = false;
  ui.message.hidden = true;
  ui.root.classList.remove("refused");
  board = fresh;
  // Until a live change arrives, the freshest thing known is the newest colour on the board.
  for (const pile of fresh.piles) {
    const since = new Date(pile.colour_since);
    if (!lastChange || since > lastChange) lastChange = since;
  }
  remember(fresh.area);
  for (const child of fresh.children) remember(child);
  renderArea();
  boardView.show(fresh);
  counts.show(fresh.area.counts);
  live.start(fresh.area.code, fresh.data_version);
  instrumentation.lastEventId = Math.max(instrumentation.lastEventId, fresh.data_version);
  renderConn();
  void renderBreadcrumb(fresh, generation);
  void loadConnectors(fresh, generation);
  void loadMap(fresh, generation);
  void loadAlerts(fresh, generation);
  updatePanels();
}

function showRefusal(error: unknown, requested: string | null): void {
  refused = true;
  const status = error instanceof ApiError ? error.status : 0;
  const text = status === 403 ? t("forbiddenArea") : status === 404 ? t("notFound") : t("loadFailed");
  const detail = error instanceof ApiError && error.detail ? ` (${error.status} ${error.title}: ${error.detail})` : "";
  const back = el("a", { href: "/screen", id: "message-back" }, t("backToOwn"));
  back.addEventListener("click", (event) => {
    event.preventDefault();
    history.pushState({}, "", "/screen");
    void load(null);
  });
  ui.message.replaceChildren(el("strong", {}, t("refusedTitle")), el("span", {}, `${text}${detail}`), el("span", {}, back));
  ui.message.hidden = false;
  ui.message.dataset["status"] = String(status);
  ui.root.classList.toggle("refused", status === 403 || status === 404);
  setAttr(ui.areaName, "data-area", requested ?? "");
  setText(ui.areaName, requested ?? "");
  setText(ui.level, "");
  ui.breadcrumb.replaceChildren();
  renderConn();
  if (status !== 403 && status !== 404) {
    // Not a refusal (the hub is restarting): try again shortly.
    refused = false;
    liveState = "reconnecting";
    renderConn();
    setTimeout(() => {
      if (ui.message.dataset["status"] === String(status)) void load(areaFromUrl());
    }, 5_000);
  }
}

function renderArea(): void {
  if (!board) return;
  setAttr(ui.areaName, "data-area", board.area.code);
  setAttr(ui.root, "data-level", board.area.level);
  setText(ui.areaName, areaName(board.area) + (board.area.synthetic ? t("synthetic") : ""));
  setText(ui.level, word("level_", board.area.level));
  document.title = `${areaName(board.area)} · ${t("title")}`;
  const showPiles = board.area.level === "street" || board.area.level === "community";
  setText(ui.tilesTitle, showPiles && board.children.length === 0 ? t("pilesTitle") : showPiles ? `${t("children")} · ${t("pilesTitle")}` : t("children"));
  setText(ui.mapTitle, t("map"));
  setText(ui.alertsTitle, t("alerts"));
  setText(ui.lastChangeLabel, t("lastChange"));
  setText(ui.lastChange, lastChange ? `${clock(lastChange)} · ${relative(lastChange, Date.now())}` : t("never"));
}

async function renderBreadcrumb(current: Board, generation: number): Promise<void> {
  let trail: string[] = [];
  if (current.area.code !== ownArea) {
    try {
      const detail = await api.get<Jurisdiction>(`/v1/jurisdictions/${current.area.code}`);
      trail = detail.ancestors;
      for (const code of trail) {
        if (!names.has(code)) remember(await api.get<Jurisdiction>(`/v1/jurisdictions/${code}`));
      }
    } catch {
      trail = ownArea ? [ownArea] : [];
    }
  }
  if (generation !== loadGeneration) return;
  const links = trail.map((code) => {
    const known = names.get(code);
    const link = el("a", { href: `/screen?area=${code}`, "data-crumb": code }, known ? areaName(known) : code);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      navigate(code);
    });
    return link;
  });
  // At the screen's own area there is nothing above to go to.
  const here = el("span", { class: "here" }, areaName(current.area));
  ui.breadcrumb.replaceChildren(...(links.length ? [...links.flatMap((link) => [link, el("span", { class: "sep", "aria-hidden": "true" }, "›")]), here] : []));
}

async function loadConnectors(current: Board, generation: number): Promise<void> {
  if (!(current.area.level === "street" || current.area.level === "community") || !current.piles_included) return;
  let cursor: string | null = null;
  try {
    do {
      const query = new URLSearchParams({ area: current.area.code, limit: "500" });
      if (cursor) query.set("cursor", cursor);
      const page: Page<PilePublic> = await api.get<Page<PilePublic>>(`/v1/piles?${query.toString()}`);
      if (generation !== loadGeneration) return;
      boardView.showConnectors(page.items);
      cursor = page.next_cursor;
    } while (cursor);
  } catch {
    // connector states are a detail: the tiles keep their colours
  }
}

async function loadMap(current: Board, generation: number): Promise<void> {
  if (current.area.counts.total > MAP_MAX_PILES) {
    mapView.show(null);
    ui.mapNote.hidden = false;
    setText(ui.mapNote, t("tooManyForMap"));
    return;
  }
  try {
    const collection = await api.get<MapCollection>(`/v1/map?area=${current.area.code}`);
    if (generation !== loadGeneration) return;
    mapView.show(collection);
    ui.mapNote.hidden = mapView.size > 0;
    setText(ui.mapNote, t("noPosition"));
  } catch {
    mapView.show(null);
  }
}

async function loadAlerts(current: Board, generation: number): Promise<void> {
  try {
    const page = await api.get<Page<Alert>>(`/v1/alerts?area=${current.area.code}&state=open&state=acknowledged&limit=50`);
    if (generation !== loadGeneration) return;
    alertsView.show(page.items, auth.scope.has("alerts:write"));
  } catch {
    alertsView.show([], false);
  }
}

function panelContext(): PanelContext | null {
  if (!board) return null;
  return {
    api: <T>(path: string) => api.get<T>(path),
    area: board.area.code,
    level: board.area.level as Level,
    lang: lang(),
    today: today(),
  };
}

function updatePanels(): void {
  const ctx = panelContext();
  if (!ctx) return;
  for (const panel of panels.values()) void panel.update(ctx).catch(() => undefined);
}

setInterval(updatePanels, PANEL_REFRESH_MS);

// ---- live changes ------------------------------------------------------------------------

function applyEvent(event: LiveEvent): void {
  const started = performance.now();
  const p = event.payload;
  switch (event.kind) {
    case "pile.colour": {
      const change = p as unknown as ColourChange;
      boardView.applyColour(change, counts);
      mapView.setColour(change.pile_id, change.colour);
      break;
    }
    case "connector.status":
      boardView.applyConnector(Number(p["pile_id"]), Number(p["connector_id"]), String(p["status"]));
      break;
    case "registry.station":
    case "registry.jurisdiction":
      // The area's shape changed (a new station or area): read the board again, once.
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => void load(areaFromUrl()), 2_000);
      break;
    default:
      if (event.kind.startsWith("alert.")) alertsView.apply(event.kind, p);
  }
  lastChange = new Date();
  setText(ui.lastChange, `${clock(lastChange)} · ${relative(lastChange, Date.now())}`);
  instrumentation.applied++;
  instrumentation.lastEventId = event.id;
  instrumentation.applyMs += performance.now() - started;
}

// ---- clock, language, resize -------------------------------------------------------------

function tick(): void {
  const now = new Date();
  setText(ui.clock, clock(now));
  setText(ui.date, dateLine(now));
}
tick();
setInterval(tick, 1000);
setInterval(() => {
  const now = Date.now();
  boardView.tick(now);
  alertsView.tick(now);
  if (lastChange) setText(ui.lastChange, `${clock(lastChange)} · ${relative(lastChange, now)}`);
}, 15_000);

function relabel(): void {
  setText(ui.lang, t("switchTo"));
  ui.lang.setAttribute("lang", lang() === "en" ? "zh-CN" : "en");
  counts.relabel();
  boardView.relabel();
  alertsView.relabel();
  renderArea();
  renderConn();
  tick();
  if (board) void renderBreadcrumb(board, loadGeneration);
}

ui.lang.addEventListener("click", () => {
  setLang(lang() === "en" ? "zh-CN" : "en", true);
  relabel();
  updatePanels();
});

window.addEventListener("resize", () => {
  mapView.redraw();
  for (const panel of panels.values()) panel.resize();
});

relabel();
void load(areaFromUrl());
