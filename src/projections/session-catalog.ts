import type { Database } from 'sql.js';
import { LogbookError } from '../domain/errors';
import type { EventStore, RecordedEvent } from '../store/event-store';
import { loadSnapshot, readSnapshotHeader } from '../store/projection-snapshots';
import type { StoredSnapshot } from '../store/projection-snapshots';
import { withinFold } from './fold-scope';
import type { ProjectionSnapshot } from './projection';
import { applySessionEvent, initialSessionSummary, sessionSummaryProjection } from './session-summary';
import type { SessionSummaryState } from './session-summary';

/** Streams that are not Claude Code sessions (quarantined input and the like start with `$`). */
export function isSessionStream(streamId: string): boolean {
  return !streamId.startsWith('$');
}

/** The catalog's name in stored snapshots. */
export const SESSION_CATALOG_NAME = 'session-catalog';
/**
 * The catalog is the session summary fold keyed by stream, so its snapshots go stale exactly
 * when the summary's do: it shares that fold's version (bump it there).
 */
export const SESSION_CATALOG_VERSION = sessionSummaryProjection.version;

/** Every session's summary after the event at `position` (global). */
export type CatalogSnapshot = ProjectionSnapshot<Readonly<Record<string, SessionSummaryState>>>;

/** True when a snapshot was written by this catalog's fold, at this version. */
export function isCatalogSnapshot(snapshot: Pick<CatalogSnapshot, 'name' | 'version'>): boolean {
  return snapshot.name === SESSION_CATALOG_NAME && snapshot.version === SESSION_CATALOG_VERSION;
}

/**
 * Every session's summary, kept current by folding only the events appended since the last
 * catch-up (the checkpoint is the global position of the last event folded). Views read it;
 * nothing here re-reads a whole stream after the first pass.
 */
export class SessionCatalog {
  private readonly summaries = new Map<string, SessionSummaryState>();
  private checkpoint = 0;

  /** Global position of the last event folded. */
  get position(): number {
    return this.checkpoint;
  }

  get(sessionId: string): SessionSummaryState | undefined {
    return this.summaries.get(sessionId);
  }

  all(): ReadonlyMap<string, SessionSummaryState> {
    return this.summaries;
  }

  /** Folds what the store appended since the checkpoint; returns the sessions that changed. */
  catchUp(store: EventStore, batch = 5000): Set<string> {
    const changed = new Set<string>();
    for (;;) {
      const events = store.readAll({ from: this.checkpoint + 1, limit: batch });
      this.applyAll(events, changed);
      if (events.length < batch) return changed;
    }
  }

  /** Folds events given in global order (those at or before the checkpoint are skipped). */
  applyAll(events: readonly RecordedEvent[], changed: Set<string> = new Set()): Set<string> {
    // One fold run: a session's growing records are copied once per call, not once per event.
    return withinFold(() => {
      for (const event of events) {
        if (event.globalPosition <= this.checkpoint) continue;
        this.checkpoint = event.globalPosition;
        if (!isSessionStream(event.streamId)) continue;
        const before = this.summaries.get(event.streamId) ?? initialSessionSummary;
        this.summaries.set(event.streamId, applySessionEvent(before, event));
        changed.add(event.streamId);
      }
      return changed;
    });
  }

  /** The catalog as it stands. Summaries are immutable, so this shares them rather than copying. */
  snapshot(): CatalogSnapshot {
    return { name: SESSION_CATALOG_NAME, version: SESSION_CATALOG_VERSION, position: this.checkpoint, state: Object.fromEntries(this.summaries) };
  }

  /**
   * Replaces the catalog with a snapshot's; folding resumes after its position. A snapshot of
   * another fold or version is refused: resuming it would silently give wrong summaries.
   */
  restore(snapshot: CatalogSnapshot): void {
    if (!isCatalogSnapshot(snapshot)) {
      throw new LogbookError('SNAPSHOT_MISMATCH', `snapshot of ${snapshot.name} v${snapshot.version} cannot resume ${SESSION_CATALOG_NAME} v${SESSION_CATALOG_VERSION}`);
    }
    this.summaries.clear();
    for (const [sessionId, summary] of Object.entries(snapshot.state)) this.summaries.set(sessionId, summary);
    this.checkpoint = snapshot.position;
  }

  /** Forgets everything (the store was rebuilt or replaced by a shorter one). */
  reset(): void {
    this.summaries.clear();
    this.checkpoint = 0;
  }
}

/**
 * The stored catalog snapshot when it is this fold's, at this version, and not ahead of the
 * store's last event; otherwise undefined (the caller folds from scratch).
 */
export function loadCatalogSnapshot(db: Database, lastPosition: number): CatalogSnapshot | undefined {
  // The header first: a stale snapshot's parts are never parsed.
  if (!usableHeader(db, lastPosition)) return undefined;
  return catalogOf(loadSnapshot(db, SESSION_CATALOG_NAME), lastPosition);
}

function usableHeader(db: Database, lastPosition: number): boolean {
  const header = readSnapshotHeader(db, SESSION_CATALOG_NAME);
  return header !== undefined && isCatalogSnapshot(header) && header.position <= lastPosition;
}

function catalogOf(stored: StoredSnapshot | undefined, lastPosition: number): CatalogSnapshot | undefined {
  if (stored === undefined || !isCatalogSnapshot(stored) || stored.position > lastPosition) return undefined;
  const parts: [string, SessionSummaryState][] = [];
  for (const [sessionId, part] of stored.parts) {
    // Written by this very fold version; a part that is not even an object means a damaged row.
    if (typeof part !== 'object' || part === null || !('lastPosition' in part)) return undefined;
    parts.push([sessionId, part as SessionSummaryState]);
  }
  // fromEntries defines own properties: a session named `__proto__` is a key like any other.
  return { name: SESSION_CATALOG_NAME, version: SESSION_CATALOG_VERSION, position: stored.position, state: Object.fromEntries(parts) };
}
