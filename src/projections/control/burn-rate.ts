import type { UsageRecordedData } from '../../domain/usage/events';
import { emptyTally, tallyCost, tallyTotals, tallyUsage } from '../overview/usage-tally';
import { DEFAULT_PRICE_TABLE } from '../pricing';
import type { PriceTable } from '../pricing';

// How fast a live session spends: the cost of its usage over the last hour (or since its first
// usage, if that is sooner), per hour. Usage is placed in time by the transcript line's own
// timestamp (UsageRecorded `at`), never by when the writer read it (minutes or days later).
// The window's messages are priced as the overview's tally prices them (usage-tally.ts): a later
// line of a message replaces what was counted for it, long-prompt tiers apply per message.
// Only the last WINDOW_KEEP_MS of usage is kept (and at most MAX_MARKS messages), so a session of
// a thousand hours folds in the same memory as one of an hour.

export const HOUR_MS = 3_600_000;
/** The shortest span a rate is taken over: one message a second ago is not a rate of $3,600 an hour per dollar. */
export const MIN_SPAN_MS = 60_000;
/** Usage older than this before the latest is dropped: the window is an hour, the rest is slack for a `now` a little behind. */
const WINDOW_KEEP_MS = 2 * HOUR_MS;
const MAX_MARKS = 2048;

/** One usage line placed in time. */
export interface UsageMark {
  readonly at: number;
  readonly data: UsageRecordedData;
}

/** The recent usage of a session, enough for its burn rate. */
export interface UsageWindow {
  /** The earliest usage time seen (the rate's window never starts before it). */
  readonly firstAt: number | null;
  readonly latestAt: number | null;
  /** In fold order (the order the tally's replacement rule expects), within WINDOW_KEEP_MS of latestAt. */
  readonly marks: readonly UsageMark[];
  /** The model the last usage line named (a session whose SessionStart named none still has one). */
  readonly lastModel: string | null;
}

export const emptyUsageWindow: UsageWindow = { firstAt: null, latestAt: null, marks: [], lastModel: null };

/** Adds one UsageRecorded event's data; `at` is its line's time (null: counted for the model only). */
export function addUsage(window: UsageWindow, data: UsageRecordedData, at: number | null): UsageWindow {
  const lastModel = data.model === '<unknown>' ? window.lastModel : data.model;
  if (at === null) return lastModel === window.lastModel ? window : { ...window, lastModel };
  const latestAt = window.latestAt === null ? at : Math.max(window.latestAt, at);
  const keepFrom = latestAt - WINDOW_KEEP_MS;
  const kept = window.marks.filter((mark) => mark.at >= keepFrom);
  const marks = [...kept.slice(Math.max(0, kept.length - MAX_MARKS + 1)), { at, data }];
  return { firstAt: window.firstAt === null ? at : Math.min(window.firstAt, at), latestAt, marks, lastModel };
}

/**
 * US$ per hour over [max(end − 1 h, first usage), end]; `end` defaults to the latest usage time.
 * Null when no usage carried a time, or when the window's tokens are all of models without a price.
 */
export function burnUsdPerHour(window: UsageWindow, end: number | null = window.latestAt, prices: PriceTable = DEFAULT_PRICE_TABLE): number | null {
  if (window.firstAt === null || end === null) return null;
  const start = Math.max(end - HOUR_MS, window.firstAt);
  let tally = emptyTally;
  for (const mark of window.marks) if (mark.at >= start && mark.at <= end) tally = tallyUsage(tally, mark.data);
  const { costUsd, unpriced } = tallyCost(tally, prices);
  if (costUsd === 0 && unpriced.length > 0) return null;
  if (tallyTotals(tally).messages === 0) return 0;
  return costUsd / (Math.max(end - start, MIN_SPAN_MS) / HOUR_MS);
}
