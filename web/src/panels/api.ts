// The parts of the hub's answers the panels read (openapi/openapi.json has the full shapes).

export interface GroupRef {
  kind: "pile" | "community" | "street" | "district";
  code: string;
  name: string | null;
}

export interface Judged {
  range_hours: number;
  observed_hours: number;
  unknown_hours: number;
  coverage: number | null;
  reason: string | null;
}

export interface EnergyReport {
  from: string;
  to: string;
  until: string;
  periods: string[];
  rows: Array<{ group: GroupRef; bucket: string; energy_kwh: number; by_period: Record<string, number> }>;
  totals: Array<{ group: GroupRef; energy_kwh: number; coverage: number | null; observed_hours: number; range_hours: number }>;
}

export interface ProfileCell extends Judged {
  weekday: number;
  hour: number;
  available_hours: number;
  busy_hours: number;
  occupancy: number | null;
}

export interface UtilisationReport {
  from: string;
  to: string;
  totals: Array<Judged & { group: GroupRef; occupancy: number | null }>;
  profile: ProfileCell[];
}

export interface CommunityRef {
  code: string;
  name: string | null;
}

export interface HourWindow {
  from_hour: number;
  to_hour: number;
}

export interface OffPeakCommunity extends Judged {
  community: CommunityRef;
  piles: number;
  idle_share: number | null;
  hourly_occupancy: Array<number | null>;
  congested_hours: number[];
  room_windows: HourWindow[];
}

export interface OffPeakGuidance {
  from: string;
  to: string;
  congested_occupancy: number;
  room_occupancy: number;
  communities: OffPeakCommunity[];
  recommendation: {
    congested: Array<{ community: CommunityRef; hours: number[]; worst_occupancy: number }>;
    room: Array<{ community: CommunityRef; idle_share: number; windows: HourWindow[] }>;
    most_idle_community: CommunityRef | null;
    shifts: Array<{ from_community: CommunityRef; hours: number[]; to_community: CommunityRef; windows: HourWindow[] }>;
    not_judged: Array<{ community: CommunityRef; reason: string }>;
  };
}

export interface StatusHours {
  available: number;
  in_use: number;
  out_of_service: number;
  short_offline: number;
  unknown: number;
}

export interface UptimeFigures extends Judged {
  hours: StatusHours;
  uptime: number | null;
  uk_reliability: number | null;
  meets_uk_target: boolean | null;
  faults: number;
  repairs: number;
  mttr_hours: number | null;
  mttr_reason: string | null;
}

export interface UptimeReport {
  from: string;
  to: string;
  area_uptime: UptimeFigures;
  piles: Array<UptimeFigures & { pile_id: number; equipment_id: string; community: string }>;
}

export interface Jurisdiction {
  code: string;
  name: string;
  name_en: string | null;
  level: string;
  counts?: { total: number };
  children: Array<{ code: string; name: string; name_en: string | null }>;
}
