import type { Database } from 'sql.js';
import { LogbookError } from '../domain/errors';
import type { EventStore, RecordedEvent } from '../store/event-store';
import { loadSnapshot, loadSnapshotInSlices, readSnapshotHeader, saveSnapshot } from '../store/projection-snapshots';
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

/** loadCatalogSnapshot for a window's main thread: read in slices, `pause()` between them. */
export async function loadCatalogSnapshotInSlices(db: Database, lastPosition: () => number, pause: () => Promise<void>, slice = SNAPSHOT_READ_SLICE): Promise<CatalogSnapshot | undefined> {
  if (!usableHeader(db, lastPosition())) return undefined;
  const stored = await loadSnapshotInSlices(db, SESSION_CATALOG_NAME, slice, pause);
  // The store's end as it is now: the writer may have saved (and appended) while this read.
  return catalogOf(stored, lastPosition());
}

/** Sessions read between two pauses: 250 parts are about 20–40 ms of reading and parsing. */
const SNAPSHOT_READ_SLICE = 250;

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

/**
 * Events between two saved catalog snapshots. A reader that resumes from the latest one folds at
 * most this many events (reading one back and folding it costs 15-25 µs: about a tenth of a
 * second), while each save costs the writer the same fold plus one JSON per session that changed
 * (2 ms for 8 sessions). At hook rates (a busy session sends a few events a second, a team of
 * agents tens) that is one save every few minutes, and a `logbook ingest` of a few hundred
 * events usually pays nothing.
 */
export const CATALOG_SNAPSHOT_EVERY = 5000;

/**
 * The single writer's catalog, kept in memory and saved into the store once at least `every`
 * events were folded since the last save (only the sessions that changed since then), so the
 * next writer or a reading window resumes there instead of folding from scratch.
 * Folding means reading events back from the store, so it is idle work (`advance`), done only
 * once a save is due; the save itself (`saveIfDue`) is cheap and rides on the writer's flush.
 */
export class PersistedCatalog {
  readonly catalog = new SessionCatalog();
  /** Global position of the stored snapshot that this catalog's saved parts match (0 = none). */
  private savedPosition: number | undefined;
  private resumed = false;
  private readonly changed = new Set<string>();
  /** The stored parts are not known to match ours (none, or another version's): rewrite them all. */
  private rewriteAll = true;

  constructor(private readonly db: Database, private readonly store: EventStore, private readonly every = CATALOG_SNAPSHOT_EVERY) {}

  /**
   * Folds up to `limit` events (all when undefined) once a save is due, i.e. once the store holds
   * `every` events past the last save; returns how many it folded. Until then it costs one
   * `MAX(global_position)` query.
   */
  advance(limit?: number): number {
    this.savedPosition ??= this.storedPosition();
    if (this.store.lastGlobalPosition() - this.savedPosition < this.every) return 0;
    if (!this.resumed) this.resume();
    const before = this.catalog.position;
    if (limit === undefined) this.note(this.catalog.catchUp(this.store));
    else this.note(this.catalog.applyAll(this.store.readAll({ from: before + 1, limit })));
    return this.catalog.position - before;
  }

  /** The catalog has folded `every` events since the last save: the next saveIfDue writes. */
  get saveDue(): boolean {
    return this.resumed && this.catalog.position - (this.savedPosition ?? 0) >= this.every;
  }

  /** Saves the catalog when it has folded `every` events since the last save; true when it wrote (the store needs a flush). */
  saveIfDue(now?: Date): boolean {
    if (!this.saveDue) return false;
    const snapshot = this.catalog.snapshot();
    const parts = this.rewriteAll ? Object.entries(snapshot.state) : [...this.changed].map((id): [string, unknown] => [id, snapshot.state[id]]);
    saveSnapshot(this.db, snapshot, parts, this.rewriteAll ? 'replace' : 'merge', now);
    this.savedPosition = snapshot.position;
    this.changed.clear();
    this.rewriteAll = false;
    return true;
  }

  /** Both at once: what a one-off pass (or a test) does. */
  update(now?: Date): boolean {
    this.advance();
    return this.saveIfDue(now);
  }

  private note(sessions: Iterable<string>): void {
    for (const sessionId of sessions) this.changed.add(sessionId);
  }

  // Where the stored snapshot stands, read from its header alone: its parts are parsed only
  // when a save is due. A stale version (or one ahead of the store) counts as none.
  private storedPosition(): number {
    const header = readSnapshotHeader(this.db, SESSION_CATALOG_NAME);
    const usable = header !== undefined && isCatalogSnapshot(header) && header.position <= this.store.lastGlobalPosition();
    return usable ? header.position : 0;
  }

  private resume(): void {
    this.resumed = true;
    const stored = loadCatalogSnapshot(this.db, this.store.lastGlobalPosition());
    if (stored === undefined) return;
    this.catalog.restore(stored);
    this.rewriteAll = false;
  }
}
