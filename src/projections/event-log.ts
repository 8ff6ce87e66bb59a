// The report's event log as rows and a query over them: free text, facets, a window of rows.
// Pure and dependency-free: the extension host runs it over a whole session (100k events) and the
// exported HTML page runs the very same code over the events it embeds. A query scans rows once
// and can be extended with rows appended later, so a live session never re-scans what it has seen.

/** The facets of the event log, in the order the view shows them. */
export const FACETS = ['type', 'tool', 'state', 'workflow', 'outcome'] as const;
export type FacetName = (typeof FACETS)[number];

/** What an event says about how things went. `none` for events that are neither good nor bad news. */
export const OUTCOMES = ['ok', 'failed', 'denied', 'blocked', 'refused', 'rejected', 'approved', 'none'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One event as the log lists it. Strings come from payloads: untrusted, shown as text only. */
export interface EventRow {
  /** Global position (the event's identity in the store). */
  readonly position: number;
  /** Position in the session's stream (1-based). */
  readonly seq: number;
  readonly type: string;
  /** When it happened (ms), on the session summary's clamped clock. */
  readonly at: number | null;
  /** The tool it is about; '' when none. */
  readonly tool: string;
  /** The lifecycle state the session was in when the event arrived. */
  readonly state: string;
  /** The workflow state the session was in when the event arrived; '' without a workflow. */
  readonly workflow: string;
  readonly outcome: Outcome;
  /** The subagent type for a subagent's own events; '' for the main agent. */
  readonly agent: string;
  /** One line, bounded, control characters removed. */
  readonly summary: string;
}

/** What the log shows: facet values are OR'ed within a facet and AND'ed across facets. */
export interface EventQuery {
  readonly text: string;
  readonly type: readonly string[];
  readonly tool: readonly string[];
  readonly state: readonly string[];
  readonly workflow: readonly string[];
  readonly outcome: readonly string[];
  /** Only these events (an insight's); null for no such restriction. */
  readonly positions: readonly number[] | null;
}

export const emptyQuery: EventQuery = { text: '', type: [], tool: [], state: [], workflow: [], outcome: [], positions: null };

export interface FacetValue {
  readonly value: string;
  readonly count: number;
}

/** Per facet, each value with the number of events the query would show if it were (also) chosen. */
export type FacetCounts = Readonly<Record<FacetName, readonly FacetValue[]>>;

/** Whether a row matches the free text; null when the query has no text. */
export type TextMatch = (row: EventRow) => boolean;

/**
 * A query's result over a growing list of rows. Facet counts follow the usual faceted-search rule:
 * a value's count applies every filter except its own facet's, so choosing a value never hides the
 * other values of the same facet.
 */
export class LogQuery {
  /** Indices (into rows) of the rows that match, in log order. */
  readonly matches: number[] = [];
  private scanned = 0;
  private readonly counts = Object.fromEntries(FACETS.map((f) => [f, new Map<string, number>()])) as Record<FacetName, Map<string, number>>;
  private readonly chosen: Record<FacetName, ReadonlySet<string> | null>;
  private readonly only: ReadonlySet<number> | null;

  constructor(readonly query: EventQuery, private readonly text: TextMatch | null) {
    this.chosen = Object.fromEntries(FACETS.map((f) => [f, query[f].length === 0 ? null : new Set(query[f])])) as Record<FacetName, ReadonlySet<string> | null>;
    this.only = query.positions === null ? null : new Set(query.positions);
  }

  /** How many rows this result has seen: rows appended after that are scanned by the next update. */
  get seen(): number {
    return this.scanned;
  }

  get total(): number {
    return this.matches.length;
  }

  /** Scans the rows not seen yet (all of them the first time). */
  update(rows: readonly EventRow[]): this {
    for (let i = this.scanned; i < rows.length; i += 1) this.scan(rows[i] as EventRow, i);
    this.scanned = rows.length;
    return this;
  }

  /** Facet values by count (then name); chosen values stay listed even when nothing matches them. */
  facets(): FacetCounts {
    return Object.fromEntries(FACETS.map((facet) => {
      const counts = new Map(this.counts[facet]);
      for (const value of this.chosen[facet] ?? []) if (!counts.has(value)) counts.set(value, 0);
      const values = [...counts].map(([value, count]) => ({ value, count }));
      values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      return [facet, values];
    })) as Record<FacetName, FacetValue[]>;
  }

  /** The matching rows from offset (clamped), at most limit of them. */
  window(rows: readonly EventRow[], offset: number, limit: number): { readonly offset: number; readonly rows: EventRow[] } {
    const start = Math.max(0, Math.min(offset, this.matches.length - limit));
    return { offset: start, rows: this.matches.slice(start, start + limit).map((i) => rows[i] as EventRow) };
  }

  private scan(row: EventRow, index: number): void {
    if (this.only !== null && !this.only.has(row.position)) return;
    if (this.text !== null && !this.text(row)) return;
    // The one facet the row fails, if exactly one: the row then counts only toward that facet.
    let failed: FacetName | null = null;
    for (const facet of FACETS) {
      const chosen = this.chosen[facet];
      if (chosen === null || chosen.has(row[facet])) continue;
      if (failed !== null) return;
      failed = facet;
    }
    if (failed !== null) {
      bump(this.counts[failed], row[failed]);
      return;
    }
    for (const facet of FACETS) bump(this.counts[facet], row[facet]);
    this.matches.push(index);
  }
}

function bump(counts: Map<string, number>, value: string): void {
  counts.set(value, (counts.get(value) ?? 0) + 1);
}

/** A stable key for a query (caches compare queries by it). */
export function queryKey(query: EventQuery): string {
  return JSON.stringify([query.text.trim(), ...FACETS.map((f) => [...query[f]].sort()), query.positions]);
}

// ---- free text ----

/** Lower case, without diacritics: how both the full-text index (unicode61) and the page compare text. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

/** The words of a search: letters and digits only, so no query syntax can get through. */
export function searchTokens(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter((t) => t !== '').slice(0, 16);
}

/** The SQLite FTS4 query for the tokens: every token, as a quoted prefix. */
export function ftsQuery(tokens: readonly string[]): string {
  // The star inside the quotes: FTS4 reads "pay*" as a prefix, and "pay"* as the word "pay".
  return tokens.map((t) => `"${t}*"`).join(' ');
}

/** True when every token starts a word of the (folded) text, as the full-text index matches. */
export function matchesTokens(tokens: readonly string[], folded: string): boolean {
  return tokens.every((token) => {
    for (let at = folded.indexOf(token); at >= 0; at = folded.indexOf(token, at + 1)) {
      if (at === 0 || !/[\p{L}\p{N}]/u.test(folded[at - 1] as string)) return true;
    }
    return false;
  });
}
