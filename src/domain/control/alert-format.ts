// How alerts say times and money: one plain sentence each, the same words in every view.

/** A duration as people read it: "42 s", "42 min", "3 h 5 min" (rounded down: never says more time than passed). */
export function durationText(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Minutes with two decimals, for an alert's figures. */
export function minutesFigure(ms: number): number {
  return Math.round(ms / 600) / 100;
}

/** US dollars with cents: "$16.40". */
export function usdText(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** Dollars rounded to a hundredth of a cent, for an alert's figures. */
export function usdFigure(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}

/** The ISO time of epoch ms; the number itself when no date has it (a corrupt time still names an episode). */
export function isoOf(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

/** The UTC hour an epoch ms falls in: "2026-12-05T14Z". */
export function hourOf(ms: number): string {
  const iso = isoOf(ms);
  return /^\d{4}-\d\d-\d\dT\d\d/.test(iso) ? `${iso.slice(0, 13)}Z` : iso;
}
