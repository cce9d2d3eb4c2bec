// Calendar days as Polish users type and read them. The backend speaks ISO days
// (`YYYY-MM-DD`); people type `4.12.2026`, `04.12.26` or `04122026`. Pure and unit-tested.
import type { Locale } from "./i18n/index.svelte";

export type DayParse = { ok: true; day: string | null } | { ok: false; reason: "format" | "date" };

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function isoDay(year: number, month: number, date: number): string | null {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || date < 1) return null;
  // Day 0 of the next month is the last day of this one.
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return date > last ? null : `${pad(year, 4)}-${pad(month)}-${pad(date)}`;
}

/**
 * Reads what a person typed into a date field. Empty text is "no date"; a day,
 * month and year in that order with any of `. / - space` between them, or eight
 * digits `DDMMRRRR`, or an ISO day (pasted from elsewhere). Two-digit years are
 * this century.
 */
export function parseDayInput(text: string): DayParse {
  const typed = text.trim();
  if (typed === "") return { ok: true, day: null };
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
  const dmy = /^(\d{1,2})[./\-\s]+(\d{1,2})[./\-\s]+(\d{2}|\d{4})$/.exec(typed);
  const compact = /^(\d{2})(\d{2})(\d{4})$/.exec(typed);
  let parts: [number, number, number] | null = null;
  if (iso) parts = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dmy) parts = [Number(dmy[3]), Number(dmy[2]), Number(dmy[1])];
  else if (compact) parts = [Number(compact[3]), Number(compact[2]), Number(compact[1])];
  if (!parts) return { ok: false, reason: "format" };
  const [rawYear, month, date] = parts;
  const year = rawYear < 100 ? 2000 + rawYear : rawYear;
  const day = isoDay(year, month, date);
  return day ? { ok: true, day } : { ok: false, reason: "date" };
}

/** The pattern a date field shows while empty: what to type, never a date. */
export function dayPattern(locale: Locale): string {
  return locale === "pl" ? "DD.MM.RRRR" : "DD/MM/YYYY";
}

export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Today in Poland as `YYYY-MM-DD` (invoice and due dates are Polish calendar days). */
export function todayInPoland(now: Date = new Date()): string {
  // Built from parts: how a locale writes a date differs between engines (WebKitGTK
  // writes en-CA as 11/25/2026, Chromium as 2026-11-25).
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Warsaw",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** The weeks of a month for a calendar, Monday first; `null` pads the first and last week. */
export function monthWeeks(year: number, month: number): (string | null)[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const lead = (first.getUTCDay() + 6) % 7;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let date = 1; date <= last; date++) cells.push(isoDay(year, month, date));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}
