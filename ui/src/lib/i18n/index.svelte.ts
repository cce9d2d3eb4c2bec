import i18next from "i18next";
import { catalogs } from "./catalogs";

export type Locale = "pl" | "en";
export const LOCALES: readonly Locale[] = ["pl", "en"];

export { catalogs };

void i18next.init({
  lng: "pl",
  fallbackLng: "pl",
  resources: { pl: { translation: catalogs.pl }, en: { translation: catalogs.en } },
  interpolation: { escapeValue: false },
  initAsync: false,
  returnNull: false,
});

// Svelte 5 tracks this rune; reading it inside `t` makes every translated
// string in a template update when the language changes.
let current = $state<Locale>("pl");

export function locale(): Locale {
  return current;
}

export function t(key: string, options?: Record<string, unknown>): string {
  void current;
  return i18next.t(key, { ...options, lng: current });
}

export function setUiLocale(next: Locale): void {
  current = next;
  document.documentElement.lang = next;
}
