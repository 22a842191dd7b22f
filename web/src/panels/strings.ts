// Every word the panels draw, in both screen languages (the shell passes ctx.lang).
import type { Lang } from "./contract";

export interface Strings {
  loading: string;
  noData: string;
  errorPrefix: string;
  stale: string;
  kwh: string;
  // energy
  energyTitle: string;
  energyEmpty: string;
  period: (name: string) => string;
  others: string;
  thisMonth: (lastDay: number) => string;
  lastMonthSameDays: (lastDay: number) => string;
  lastMonthWhole: (month: number) => string;
  monthNote: string;
  change: (pct: string) => string;
  noBaseline: string;
  notComparable: string;
  coverageNote: (pct: string) => string;
  // utilisation
  utilTitle: string;
  weekdays: readonly string[];
  hour: string;
  occupancy: string;
  notObserved: string;
  utilNote: string;
  utilAverage: (pct: string) => string;
  // guidance
  guidanceTitle: string;
  mostIdle: string;
  idleShare: (pct: string) => string;
  congested: string;
  noCongestion: string;
  shifts: string;
  noShifts: string;
  shift: (from: string, hours: string, to: string, windows: string) => string;
  notJudged: string;
  noAdvice: string;
  hourlyOccupancy: string;
  congestedLine: (pct: string) => string;
  roomLine: (pct: string) => string;
  worst: (pct: string) => string;
  // uptime
  uptimeTitle: string;
  areaUptime: string;
  unknownShare: string;
  coverage: string;
  ukReliability: string;
  meetsTarget: (verdict: boolean | null) => string;
  faultsRepairs: (faults: number, repairs: number) => string;
  mttr: (hours: string | null) => string;
  worstPiles: string;
  noPiles: string;
  tooManyPiles: (piles: string) => string;
  unstated: (count: number, reasons: string, more: boolean) => string;
  energyUnobserved: string;
  statusHours: Record<"available" | "in_use" | "out_of_service" | "short_offline" | "unknown", string>;
  // shared
  reason: (code: string | null) => string;
  rangeNote: (from: string, to: string) => string;
}

const REASONS_ZH: Record<string, string> = {
  "no-observations": "没有观测数据",
  "insufficient-coverage": "观测时间不足",
  "nothing-available": "无可用时段",
  "no-repairs": "无已修复的故障",
};
const REASONS_EN: Record<string, string> = {
  "no-observations": "nothing observed",
  "insufficient-coverage": "too little of the range observed",
  "nothing-available": "no available time",
  "no-repairs": "no repaired faults",
};

const ZH: Strings = {
  loading: "加载中…",
  noData: "暂无数据",
  errorPrefix: "无法获取",
  stale: "（下方为上次获取的数据）",
  kwh: "千瓦时",
  energyTitle: "近30天充电量（千瓦时，峰/谷）",
  energyEmpty: "近30天没有充电记录",
  period: (name) => ({ peak: "峰", valley: "谷", flat: "平", sharp: "尖" })[name] ?? name,
  others: "其他",
  thisMonth: (d) => `本月至今（1–${d}日）`,
  lastMonthSameDays: (d) => `上月同期（1–${d}日）`,
  lastMonthWhole: (m) => `上月全月（${m}月）`,
  monthNote: "本月含今天截至现在；上月同期按整天计。",
  change: (pct) => `较上月同期 ${pct}`,
  noBaseline: "上月同期无电量，无法比较",
  notComparable: "观测不足一半，不作比较",
  coverageNote: (pct) => `覆盖 ${pct}`,
  utilTitle: "占用率：时段 × 星期（近30天）",
  weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
  hour: "时",
  occupancy: "占用率",
  notObserved: "观测不足（不计为0）",
  utilNote: "斜纹格：观测不足，无数据",
  utilAverage: (pct) => `平均占用率 ${pct}`,
  guidanceTitle: "错时错峰建议（近30天）",
  mostIdle: "最空闲小区",
  idleShare: (pct) => `空闲 ${pct}`,
  congested: "拥堵时段",
  noCongestion: "没有小区出现拥堵时段",
  shifts: "建议错峰",
  noShifts: "暂无可建议的错峰转移",
  shift: (from, hours, to, windows) => `${from} ${hours} 的车主可改到 ${to} ${windows} 充电`,
  notJudged: "未纳入建议",
  noAdvice: "数据不足，枢纽无法给出错峰建议",
  hourlyOccupancy: "各时段占用率",
  congestedLine: (pct) => `拥堵线 ${pct}`,
  roomLine: (pct) => `空闲线 ${pct}`,
  worst: (pct) => `最高 ${pct}`,
  uptimeTitle: "设备可用率（近30天）",
  areaUptime: "区域可用率",
  unknownShare: "状态未知",
  coverage: "观测覆盖",
  ukReliability: "可靠率",
  meetsTarget: (v) => (v === null ? "无法判定是否达到 99%" : v ? "达到 99% 目标" : "未达到 99% 目标"),
  faultsRepairs: (f, r) => `故障 ${f} 次，修复 ${r} 次`,
  mttr: (h) => (h === null ? "平均修复 —" : `平均修复 ${h} 小时`),
  worstPiles: "可用率最低的充电桩",
  noPiles: "没有充电桩",
  unstated: (n, r, more) => `${more ? "另有 " : ""}${n} 个充电桩无可用率（${r}）`,
  energyUnobserved: "近30天没有观测数据（不是零电量）",
  tooManyPiles: (n) => `本区域有 ${n} 个充电桩，逐桩可用率数据量过大，大屏不在此层级获取；请下钻到区或街道查看。`,
  statusHours: {
    available: "空闲",
    in_use: "使用中",
    out_of_service: "停用/故障",
    short_offline: "短暂离线",
    unknown: "未知",
  },
  reason: (code) => (code === null ? "" : (REASONS_ZH[code] ?? code)),
  rangeNote: (a, b) => `${a} 至 ${b}`,
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const EN: Strings = {
  loading: "Loading…",
  noData: "No data",
  errorPrefix: "Could not load",
  stale: "(showing the last figures fetched)",
  kwh: "kWh",
  energyTitle: "Energy, 30 days (kWh)",
  energyEmpty: "No charging in the last 30 days",
  period: (name) => name.charAt(0).toUpperCase() + name.slice(1),
  others: "Others",
  thisMonth: (d) => `This month (1–${d})`,
  lastMonthSameDays: (d) => `Last month (1–${d})`,
  lastMonthWhole: (m) => `All of ${MONTHS[m - 1] ?? m}`,
  monthNote: "Today counts up to now; last month's days are whole.",
  change: (pct) => `${pct} on the same days last month`,
  noBaseline: "No energy on the same days last month: no comparison",
  notComparable: "Under half observed: not compared",
  coverageNote: (pct) => `${pct} observed`,
  utilTitle: "Occupancy, hour × day (30 d)",
  weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
  hour: "h",
  occupancy: "Occupancy",
  notObserved: "too little observed (not 0)",
  utilNote: "Hatched: too little observed, no figure",
  utilAverage: (pct) => `mean occupancy ${pct}`,
  guidanceTitle: "Off-peak guidance (30 days)",
  mostIdle: "Most idle community",
  idleShare: (pct) => `${pct} idle`,
  congested: "Congested hours",
  noCongestion: "No community has congested hours",
  shifts: "Suggested shifts",
  noShifts: "No shift to suggest",
  shift: (from, hours, to, windows) => `${from} ${hours} → ${to} ${windows}`,
  notJudged: "Left out of the advice",
  noAdvice: "Too little data: the hub cannot give off-peak advice",
  hourlyOccupancy: "Occupancy by hour",
  congestedLine: (pct) => `congested ${pct}`,
  roomLine: (pct) => `room ${pct}`,
  worst: (pct) => `peak ${pct}`,
  uptimeTitle: "Uptime (30 days)",
  areaUptime: "Area uptime",
  unknownShare: "Unknown status",
  coverage: "Observed",
  ukReliability: "Reliability",
  meetsTarget: (v) => (v === null ? "99 % target: cannot tell" : v ? "meets the 99 % target" : "below the 99 % target"),
  faultsRepairs: (f, r) => `${f} faults, ${r} repairs`,
  mttr: (h) => (h === null ? "MTTR: —" : `MTTR ${h} h`),
  worstPiles: "Lowest-uptime piles",
  noPiles: "No piles",
  unstated: (n, r, more) => `${n}${more ? " more" : ""} pile${n === 1 ? "" : "s"} without an uptime figure (${r})`,
  energyUnobserved: "Nothing observed in the last 30 days (not zero energy)",
  tooManyPiles: (n) => `${n} piles here: the hub's uptime answer lists every pile and connector, too much to fetch on a wall screen at this level. Drill down to a district or street.`,
  statusHours: {
    available: "Available",
    in_use: "In use",
    out_of_service: "Out of service",
    short_offline: "Short offline",
    unknown: "Unknown",
  },
  reason: (code) => (code === null ? "" : (REASONS_EN[code] ?? code)),
  rangeNote: (a, b) => `${a} to ${b}`,
};

export function strings(lang: Lang): Strings {
  return lang === "en" ? EN : ZH;
}
