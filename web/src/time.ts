// Times on the screen are Asia/Shanghai whatever the browser's zone is.
import { lang, t } from "./i18n";

const ZONE = "Asia/Shanghai";
const formats = new Map<string, Intl.DateTimeFormat>();

function format(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const cacheKey = `${lang()}|${key}`;
  let found = formats.get(cacheKey);
  if (!found) {
    found = new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "zh-CN", { timeZone: ZONE, ...options });
    formats.set(cacheKey, found);
  }
  return found;
}

/** `2026-12-07 19:21` in Shanghai. */
export function absolute(at: Date): string {
  const parts = format("abs", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

export function clock(at: Date): string {
  return format("clock", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(at);
}

export function dateLine(at: Date): string {
  return format("date", { year: "numeric", month: "long", day: "numeric", weekday: "long" }).format(at);
}

/** Today's date in Shanghai as `YYYY-MM-DD` (the hub's analytics take local dates). */
export function today(at: Date = new Date()): string {
  return absolute(at).slice(0, 10);
}

export function relative(since: Date, now: number): string {
  const seconds = Math.max(0, Math.round((now - since.getTime()) / 1000));
  if (seconds < 60) return t("ago_s", seconds);
  if (seconds < 3600) return t("ago_m", Math.floor(seconds / 60));
  if (seconds < 86400) return t("ago_h", Math.floor(seconds / 3600));
  return t("ago_d", Math.floor(seconds / 86400));
}
