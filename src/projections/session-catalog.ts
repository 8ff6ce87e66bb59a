import type { EventStore, RecordedEvent } from '../store/event-store';
import { applySessionEvent, initialSessionSummary } from './session-summary';
import type { SessionSummaryState } from './session-summary';

/** Streams that are not Claude Code sessions (quarantined input and the like start with `$`). */
export function isSessionStream(streamId: string): boolean {
  return !streamId.startsWith('$');
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
    for (const event of events) {
      if (event.globalPosition <= this.checkpoint) continue;
      this.checkpoint = event.globalPosition;
      if (!isSessionStream(event.streamId)) continue;
      const before = this.summaries.get(event.streamId) ?? initialSessionSummary;
      this.summaries.set(event.streamId, applySessionEvent(before, event));
      changed.add(event.streamId);
    }
    return changed;
  }

  /** Forgets everything (the store was rebuilt or replaced by a shorter one). */
  reset(): void {
    this.summaries.clear();
    this.checkpoint = 0;
  }
}
