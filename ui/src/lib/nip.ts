// NIP checks for instant feedback while typing. The backend validates again;
// this only mirrors it so the user sees the problem before pressing a button.

export type NipProblem = "empty" | "euPrefix" | "length" | "checksum";

const WEIGHTS = [6, 5, 7, 2, 3, 4, 5, 6, 7];

/** Digits only: users paste "526-587-76-35" or "526 587 76 35". */
export function normaliseNip(input: string): string {
  return input.replace(/[\s-]/g, "");
}

export function nipProblem(input: string): NipProblem | null {
  const nip = normaliseNip(input);
  if (nip === "") return "empty";
  if (/^PL/i.test(nip)) return "euPrefix";
  if (!/^\d{10}$/.test(nip)) return "length";
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(nip[i]), 0);
  const check = sum % 11;
  return check !== 10 && check === Number(nip[9]) ? null : "checksum";
}
