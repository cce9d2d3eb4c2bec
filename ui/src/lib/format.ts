// Polish-first formatting of what the UI shows. Pure functions, unit-tested.
import type { Locale } from "./i18n/index.svelte";

const intlTag: Record<Locale, string> = { pl: "pl-PL", en: "en-GB" };

/** A NIP as Poles write it on paper: 123-456-78-90. Anything else is returned as given. */
export function formatNip(nip: string): string {
  return /^\d{10}$/.test(nip)
    ? `${nip.slice(0, 3)}-${nip.slice(3, 6)}-${nip.slice(6, 8)}-${nip.slice(8)}`
    : nip;
}

/** Whole numbers with the locale's grouping (1 234 in Polish). */
export function formatCount(value: number, locale: Locale): string {
  return new Intl.NumberFormat(intlTag[locale], { maximumFractionDigits: 0 }).format(value);
}

/** An amount in minor units (grosze) as money: 1 234,56 zł. */
export function formatMoney(minorUnits: number, currency: string, locale: Locale): string {
  return new Intl.NumberFormat(intlTag[locale], {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(minorUnits / 100);
}

/** A moment (RFC 3339) as a local date and time: 25.11.2026, 09:00. */
export function formatDateTime(iso: string, locale: Locale): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(intlTag[locale], {
    dateStyle: "short",
    timeStyle: "short",
  }).format(date);
}

/** A calendar day (`YYYY-MM-DD`, no time zone) as the locale writes it: 31.12.2026. */
export function formatDay(day: string, locale: Locale): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  const [, year, month, date] = match;
  return locale === "pl" ? `${date}.${month}.${year}` : `${date}/${month}/${year}`;
}

/** A VAT rate as printed on invoices: "23 %", "0 % WDT"; "zw", "oo", "np I" as they are. */
export function formatVatRate(rate: string): string {
  const match = /^(\d+)(?: (.+))?$/.exec(rate);
  if (!match) return rate;
  return match[2] ? `${match[1]} % ${match[2]}` : `${match[1]} %`;
}

/** Case- and diacritic-insensitive matching, so "lodz" finds "Łódź". */
export function foldForSearch(text: string): string {
  return text
    .toLocaleLowerCase("pl")
    .replaceAll("ł", "l")
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "");
}

export function matchesQuery(query: string, ...fields: (string | null | undefined)[]): boolean {
  const needle = foldForSearch(query.trim());
  if (needle === "") return true;
  const digits = needle.replace(/[\s-]/g, "");
  return fields.some((field) => {
    if (!field) return false;
    const hay = foldForSearch(field);
    return (
      hay.includes(needle) || (/^\d+$/.test(digits) && hay.replace(/[\s-]/g, "").includes(digits))
    );
  });
}
