// The shapes this page reads from the hub's REST API (openapi/openapi.json), only the fields
// it uses.
export type ApiColour = "green" | "yellow" | "red" | "unknown";
/** The page's colour names (the DOM contract's `data-colour`): the API's `unknown` is grey. */
export type Colour = "green" | "yellow" | "red" | "grey";
export const COLOURS: readonly Colour[] = ["green", "yellow", "red", "grey"];
export type Level = "city" | "district" | "street" | "community";

export function colourOf(api: string): Colour {
  return api === "green" || api === "yellow" || api === "red" ? api : "grey";
}

export interface ColourCounts {
  green: number;
  yellow: number;
  red: number;
  unknown: number;
  total: number;
}

export interface AreaSummary {
  code: string;
  name: string;
  name_en: string | null;
  level: Level;
  synthetic: boolean;
  counts: ColourCounts;
}

export interface BoardPile {
  id: number;
  equipment_id: string;
  name: string | null;
  colour: ApiColour;
  colour_since: string;
  colour_cause: string | null;
  maintenance: boolean;
  community: { code: string; name: string; level: string };
  station_id: string;
  synthetic: boolean;
}

export interface Board {
  area: AreaSummary;
  children: AreaSummary[];
  data_version: number;
  piles_included: boolean;
  piles: BoardPile[];
}

export interface Jurisdiction {
  code: string;
  name: string;
  name_en: string | null;
  level: Level;
  ancestors: string[];
  parent_code: string | null;
}

export interface ConnectorPublic {
  id: number;
  connector_id: string;
  status: string;
}

export interface PilePublic {
  id: number;
  connectors: ConnectorPublic[];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface MapFeature {
  id: number;
  geometry: { coordinates: [number, number] } | null;
  properties: { colour: ApiColour };
}

export interface MapCollection {
  features: MapFeature[];
}

export interface Alert {
  id: number;
  pile_id: number;
  equipment_id: string;
  community: string;
  severity: string;
  cause: string;
  state: string;
  opened_at: string;
  escalated_at: string | null;
}
