import type { TrendPeriod } from '../../protocol/trends';

// The time axis of trends, in local time: a day starts at local midnight, a week on Monday. Steps
// go through the calendar (new Date(y, m, d + 1)), never by adding 24 h, so a day of 23 or 25
// hours (a daylight-saving change) is still one day.

/** The start (ms) of the day or week holding `ms`. */
export function periodStart(ms: number, by: TrendPeriod): number {
  const d = new Date(ms);
  // getDay(): 0 is Sunday; a week starts on Monday.
  const back = by === 'week' ? (d.getDay() + 6) % 7 : 0;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - back).getTime();
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start: number, by: TrendPeriod): number {
  const d = new Date(start);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + (by === 'week' ? 7 : 1)).getTime();
}

/** "2026-03-30": the local day of `ms`. */
export function localDay(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** How many periods from the one holding `first` to the one holding `last`, both counted. */
export function periodsBetween(first: number, last: number, by: TrendPeriod): number {
  // Calendar days between the two starts, rounded: a daylight-saving hour never makes a day.
  const days = Math.round((periodStart(last, by) - periodStart(first, by)) / 86_400_000);
  return Math.floor(days / (by === 'week' ? 7 : 1)) + 1;
}
