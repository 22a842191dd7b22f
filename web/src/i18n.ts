// The screen's words in zh-CN (the default) and English. The choice is remembered in
// localStorage; `?lang=en` presets it.
import type { Lang } from "./panels/contract";

export type { Lang };

const zh = {
  title: "充电桩运行大屏",
  green: "正常",
  yellow: "故障",
  red: "待维修",
  grey: "未知",
  total: "总数",
  piles: "桩",
  signingIn: "登录中",
  live: "实时",
  reconnecting: "重新连接中",
  forbidden: "无权访问",
  revoked: "已撤销",
  error: "出错",
  lastChange: "最近变化",
  never: "暂无",
  userCodeTitle: "请管理员批准本屏幕",
  userCodeHint: "在以下地址输入此代码：",
  userCodeAdmin: "或请区域管理员运行：",
  revokedHint: "本屏幕已被撤销。请管理员重新批准：",
  expiredCode: "代码已过期，正在获取新的代码…",
  denied: "管理员拒绝了本屏幕，正在获取新的代码…",
  children: "下级区域",
  pilesTitle: "充电桩",
  map: "地图",
  alerts: "告警",
  noAlerts: "没有未处理的告警",
  acknowledge: "受理",
  acknowledged: "已受理",
  energy: "充电量",
  utilisation: "使用率",
  guidance: "错时错峰",
  uptime: "在线率",
  tooManyPiles: "桩数量较多：请点击下级区域查看每个桩",
  tooManyForMap: "桩数量较多，地图未绘制：请进入下级区域",
  noPosition: "没有位置数据",
  refusedTitle: "无法显示该区域",
  backToOwn: "返回本屏幕的区域",
  notFound: "该区域不存在或不在本屏幕的范围内。",
  forbiddenArea: "本屏幕无权查看该区域。",
  loadFailed: "数据加载失败，稍后重试。",
  cause_offline: "离线",
  cause_fault: "故障",
  "cause_long-fault": "长时间故障",
  "cause_repeated-fault": "反复故障",
  cause_maintenance: "维修中",
  conn_available: "空闲",
  conn_occupied: "占用",
  conn_charging: "充电中",
  conn_reserved: "预约",
  conn_faulted: "故障",
  conn_offline: "离线",
  conn_unknown: "未知",
  since: "自",
  ago_s: "{n} 秒前",
  ago_m: "{n} 分钟前",
  ago_h: "{n} 小时前",
  ago_d: "{n} 天前",
  switchTo: "English",
  level_city: "市",
  level_district: "区",
  level_street: "街道",
  level_community: "社区",
  synthetic: "（示例数据）",
  areaCode: "<区域代码>",
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  title: "Charging piles wall screen",
  green: "Working",
  yellow: "Fault",
  red: "Needs repair",
  grey: "Unknown",
  total: "Total",
  piles: "piles",
  signingIn: "Signing in",
  live: "Live",
  reconnecting: "Reconnecting",
  forbidden: "Not allowed",
  revoked: "Revoked",
  error: "Error",
  lastChange: "Last change",
  never: "none yet",
  userCodeTitle: "Ask an admin to approve this screen",
  userCodeHint: "Enter this code at:",
  userCodeAdmin: "or ask an admin of the area to run:",
  revokedHint: "This screen was revoked. Ask an admin to approve it again:",
  expiredCode: "The code expired; getting a new one…",
  denied: "An admin denied this screen; getting a new code…",
  children: "Areas",
  pilesTitle: "Piles",
  map: "Map",
  alerts: "Alerts",
  noAlerts: "No open alerts",
  acknowledge: "Acknowledge",
  acknowledged: "Acknowledged",
  energy: "Energy",
  utilisation: "Utilisation",
  guidance: "Off-peak guidance",
  uptime: "Uptime",
  tooManyPiles: "Many piles here: open an area below to see each pile",
  tooManyForMap: "Too many piles to draw here: open an area below",
  noPosition: "No positions",
  refusedTitle: "This area cannot be shown",
  backToOwn: "Back to this screen's area",
  notFound: "This area does not exist or is outside this screen's area.",
  forbiddenArea: "This screen may not show this area.",
  loadFailed: "Loading failed; retrying shortly.",
  cause_offline: "offline",
  cause_fault: "fault",
  "cause_long-fault": "long fault",
  "cause_repeated-fault": "repeated faults",
  cause_maintenance: "maintenance",
  conn_available: "free",
  conn_occupied: "occupied",
  conn_charging: "charging",
  conn_reserved: "reserved",
  conn_faulted: "faulted",
  conn_offline: "offline",
  conn_unknown: "unknown",
  since: "since",
  ago_s: "{n} s ago",
  ago_m: "{n} min ago",
  ago_h: "{n} h ago",
  ago_d: "{n} d ago",
  switchTo: "中文",
  level_city: "city",
  level_district: "district",
  level_street: "street",
  level_community: "community",
  synthetic: " (sample data)",
  areaCode: "<area code>",
};

const STORAGE_KEY = "pilehub.screen.lang";
let current: Lang = "zh-CN";

export function initialLang(params: URLSearchParams): Lang {
  const asked = params.get("lang");
  if (asked === "en" || asked === "zh-CN") return asked;
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === "en" || stored === "zh-CN") return stored;
  } catch {
    // storage disabled: the default
  }
  return "zh-CN";
}

export function setLang(lang: Lang, remember: boolean): void {
  current = lang;
  document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // storage disabled: the choice lasts this page
    }
  }
}

export function lang(): Lang {
  return current;
}

export function t(key: Key, n?: number): string {
  const text = (current === "en" ? en : zh)[key];
  return n === undefined ? text : text.replace("{n}", String(n));
}

/** A translated word for a value from the API (`cause_fault`, `conn_charging`); the raw value
 * when the hub sends one this page does not know. */
export function word(prefix: "cause_" | "conn_" | "level_", value: string): string {
  const key = `${prefix}${value}`;
  return key in zh ? t(key as Key) : value;
}

export function areaName(area: { name: string; name_en?: string | null }): string {
  return current === "en" && area.name_en ? area.name_en : area.name;
}
