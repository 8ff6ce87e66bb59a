import { parseWhen, parseWhere, SESSION_FIELDS } from '../projections/overview/session-query';
import type { SessionQuery } from '../projections/overview/session-query';
import { DEFAULT_PRICE_TABLE, mergePriceTables } from '../projections/pricing';
import type { PriceTable, PriceTableOverrides } from '../projections/pricing';
import { described } from './options';
import { optional, textRule } from './option-rules';
import { readWorkspaceSettings } from './workspace-settings';

// The filters every command over many sessions shares (sessions, trends, patterns, compare's
// cohort): one spelling, one reading, one message for what does not read.

export const WHEN_FORMS = 'a day (2026-12-01), an ISO time or a span back from now (30m, 12h, 7d, 2w)';

export const FILTER_OPTIONS = {
  since: described(optional(textRule(64)), 'sessions started since then: 2026-12-01, an ISO time, or 30m/12h/7d/2w back', 'WHEN'),
  until: described(optional(textRule(64)), 'sessions started until then (a day counts whole; the same forms as --since)', 'WHEN'),
  where: described(optional(textRule(2000)), `field op value joined by " and " (op: = != > >= < <= ~ for contains), e.g. "cost>1 and branch~feat"; fields: ${Object.keys(SESSION_FIELDS).join(' ')}`, 'COND'),
};

export interface SessionFilter {
  readonly query: SessionQuery;
  /** The bounds a time axis takes: --since, and --until or else now. */
  readonly from?: number;
  readonly to?: number;
  /** What does not read, as the refusal says it. */
  readonly problem?: string;
}

export function sessionFilter(options: { readonly since?: string | undefined; readonly until?: string | undefined; readonly where?: string | undefined }, now: number): SessionFilter {
  const since = options.since === undefined ? undefined : parseWhen(options.since, now);
  if (options.since !== undefined && since === undefined) return { query: {}, problem: `--since must be ${WHEN_FORMS}, got "${options.since}"` };
  const until = options.until === undefined ? undefined : parseWhen(options.until, now, true);
  if (options.until !== undefined && until === undefined) return { query: {}, problem: `--until must be ${WHEN_FORMS}, got "${options.until}"` };
  const where = options.where === undefined ? undefined : parseWhere(options.where);
  if (where !== undefined && !where.ok) return { query: {}, problem: `--where: ${where.message}` };
  const to = until ?? (since === undefined ? undefined : now);
  return {
    query: { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }), ...(where?.ok === true ? { where: where.conditions } : {}) },
    ...(since === undefined ? {} : { from: since }),
    ...(to === undefined ? {} : { to }),
  };
}

/** The report's prices: the defaults with the workspace's `logbook.report.prices` overrides. */
export function workspacePrices(workspace: string): PriceTable {
  return mergePriceTables(DEFAULT_PRICE_TABLE, readWorkspaceSettings(workspace)['logbook.report.prices'] as PriceTableOverrides | undefined);
}
