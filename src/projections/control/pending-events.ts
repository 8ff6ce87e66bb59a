import type { Redactor } from '../../domain/redaction/types';
import { entryRecords } from '../../ingest/entry-records';
import { isReservedStreamId } from '../../ingest/normalize';
import type { IngestRecord } from '../../ingest/normalize';
import { pendingEntries } from '../../ingest/pending-entries';
import type { RecordedEvent } from '../../store/event-store';

// The events still waiting in a workspace's inbox, read as the writer would store them, without
// claiming, moving or rewriting anything: a workspace whose writer has not run (a headless loop,
// no VS Code window) still shows its sessions live. Each entry goes through the ingestor's own
// reader (entry-records.ts: provenance check, redaction, the hook fast path or the full zod path),
// so what is shown here is what the store will hold; entries it would quarantine are left out.
//
// Cost follows the inbox, which a running writer keeps near empty. Without one it grows with
// every hook event, so a cache (one per workspace, kept by the caller between reads) remembers
// what each entry gave: an entry file never changes under its name, nor does a log record at its
// offset once whole (a record still being written has no final newline and is read again).

/** A waiting entry's event, before the reader gives it a place after the stored events. */
export interface PendingEvent {
  readonly streamId: string;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly correlationId: string | null;
  readonly causationId: string | null;
  /** When the hook received it (µs): the order the writer ingests in. */
  readonly receivedUs: number;
}

export interface PendingReadOptions {
  readonly maxFieldBytes: number;
  /** Takes secrets out as the writer would before anything reads an entry. */
  readonly redactor?: Redactor;
  /** What earlier reads of this inbox gave, by entry (keep one per workspace and per options). */
  readonly cache?: InboxEventCache;
}

/** What each inbox entry gave, kept between reads of one workspace's inbox. */
export class InboxEventCache {
  private byName = new Map<string, readonly PendingEvent[]>();

  /** The events of an entry, read once. `stable`: its text can no longer change under this name. */
  eventsOf(name: string, stable: boolean, read: () => readonly PendingEvent[]): readonly PendingEvent[] {
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const events = read();
    if (stable) this.byName.set(name, events);
    return events;
  }

  /** Forgets the entries not listed this time (ingested and removed by a writer). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of this.byName.keys()) if (!names.has(name)) this.byName.delete(name);
  }

  get size(): number {
    return this.byName.size;
  }
}

/** The inbox's session events, oldest first, by session id. */
export function readPendingEvents(inboxDir: string, options: PendingReadOptions): Map<string, PendingEvent[]> {
  const bySession = new Map<string, PendingEvent[]>();
  const listed = new Set<string>();
  for (const entry of pendingEntries(inboxDir)) {
    listed.add(entry.name);
    const read = (): readonly PendingEvent[] => {
      const text = entry.text();
      return text === undefined ? [] : eventsOfEntry(entry.name, text, entry.receivedUs, options);
    };
    // A log record is `<log>#<offset>`; whole once it ends with its newline (see inbox-log.ts).
    const events = options.cache === undefined ? read() : options.cache.eventsOf(entry.name, isStable(entry.name, entry.text), read);
    for (const event of events) {
      const list = bySession.get(event.streamId);
      if (list === undefined) bySession.set(event.streamId, [event]);
      else list.push(event);
    }
  }
  options.cache?.keepOnly(listed);
  return bySession;
}

function isStable(name: string, text: () => string | undefined): boolean {
  if (!name.includes('#')) return true;
  return text()?.endsWith('\n') === true;
}

function eventsOfEntry(name: string, text: string, receivedUs: number, options: PendingReadOptions): PendingEvent[] {
  let records: IngestRecord[];
  try {
    records = entryRecords(name, text, { maxFieldBytes: options.maxFieldBytes, redactor: options.redactor });
  } catch {
    // The writer quarantines what it cannot read: nothing of it is a session's event.
    return [];
  }
  return records.filter((record) => !isReservedStreamId(record.streamId)).map((record) => pendingEvent(record, receivedUs));
}

// A prepared event parses its JSON on each access: read once.
function pendingEvent(record: IngestRecord, receivedUs: number): PendingEvent {
  const { event } = record;
  return {
    streamId: record.streamId, eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion,
    data: event.data, metadata: event.metadata, correlationId: event.correlationId ?? null, causationId: event.causationId ?? null, receivedUs,
  };
}

/** A pending event as a stored one, placed after the store's end and its stream's version. */
export function asRecorded(event: PendingEvent, globalPosition: number, streamPosition: number): RecordedEvent {
  const at = event.metadata['receivedAt'];
  return {
    globalPosition, streamId: event.streamId, streamPosition, eventId: event.eventId, type: event.type, schemaVersion: event.schemaVersion,
    recordedAt: typeof at === 'string' ? at : new Date(Math.floor(event.receivedUs / 1000)).toISOString(),
    correlationId: event.correlationId, causationId: event.causationId, data: event.data, metadata: event.metadata,
  };
}
