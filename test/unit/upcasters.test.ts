import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { LogbookError } from '../../src/domain/errors';
import type { RecordedEvent } from '../../src/store/event-store';
import type { Upcaster } from '../../src/store/upcasters';
import { CURRENT_EVENT_VERSIONS, UPCASTERS, buildUpcasterRegistry, currentSchemaVersion, journalEntryWrittenV1ToV2, upcast } from '../../src/store/upcasters';
import { anEvent } from './helpers';

const JOURNAL = 'JournalEntryWritten';

/** What an early writer stored: files as "path[:line]" strings, no tags. */
const V1_JOURNAL_DATA = {
  text: 'found the off-by-one in the pager',
  files: ['src/a.ts:12', 'README.md', { path: 'src/b.ts', line: 3 }],
  state: 'implementing',
  iteration: 1,
  at: '2026-01-01T10:00:00.000Z',
};

const V2_JOURNAL_DATA = {
  text: 'found the off-by-one in the pager',
  files: [{ path: 'src/a.ts', line: 12 }, { path: 'README.md' }, { path: 'src/b.ts', line: 3 }],
  state: 'implementing',
  iteration: 1,
  at: '2026-01-01T10:00:00.000Z',
  tags: [],
};

/** A store as an old build left it: a v1 row written straight into the events table. */
async function oldStore(): Promise<LogbookDatabase> {
  const db = await LogbookDatabase.create();
  db.raw.run(`INSERT INTO events (stream_id, stream_position, event_id, type, schema_version, recorded_at, correlation_id, causation_id, data, metadata)
    VALUES (?, 1, ?, ?, 1, ?, NULL, NULL, ?, ?)`,
  ['session-1', randomUUID(), JOURNAL, '2026-01-01T10:00:00.001Z', JSON.stringify(V1_JOURNAL_DATA), JSON.stringify({ source: 'cli' })]);
  return db;
}

function recorded(overrides: Partial<RecordedEvent>): RecordedEvent {
  return {
    globalPosition: 1, streamId: 's', streamPosition: 1, eventId: randomUUID(), type: JOURNAL, schemaVersion: 1,
    recordedAt: '2026-01-01T00:00:00.000Z', correlationId: null, causationId: null, data: {}, metadata: {}, ...overrides,
  };
}

function assertCurrentJournal(event: RecordedEvent | undefined): void {
  assert.ok(event !== undefined);
  assert.equal(event.schemaVersion, 2);
  assert.deepEqual(event.data, V2_JOURNAL_DATA);
}

test('a v1 JournalEntryWritten row in an old store reads as v2 through every store read', async () => {
  const db = await oldStore();
  const store = db.store;
  assertCurrentJournal(store.readStream('session-1')[0]);
  assertCurrentJournal(store.readAll()[0]);
  assertCurrentJournal(store.readByType(JOURNAL)[0]);
  assertCurrentJournal(store.search('pager')[0]);
  assert.deepEqual(store.readStream('session-1')[0]?.metadata, { source: 'cli' });
});

test('reading as v2 leaves the stored v1 row as it was (upcasting never edits events)', async () => {
  const db = await oldStore();
  db.store.readAll();
  const row = db.raw.exec('SELECT schema_version, data FROM events')[0]?.values[0];
  assert.deepEqual(row, [1, JSON.stringify(V1_JOURNAL_DATA)]);
});

test('a v2 JournalEntryWritten is read back untouched', async () => {
  const db = await LogbookDatabase.create();
  db.store.append('s', [anEvent({ type: JOURNAL, schemaVersion: 2, data: V2_JOURNAL_DATA })]);
  const [event] = db.store.readStream('s');
  assert.equal(event?.schemaVersion, 2);
  assert.deepEqual(event?.data, V2_JOURNAL_DATA);
  const current = recorded({ schemaVersion: 2, data: V2_JOURNAL_DATA });
  assert.equal(upcast(current), current);
});

test('hook events (schema 1, no upcaster) come back as the same object', async () => {
  const hook = recorded({ type: 'PreToolUse', data: { tool_name: 'Bash' } });
  assert.equal(upcast(hook), hook);
  const db = await LogbookDatabase.create();
  const appended = anEvent();
  db.store.append('s', [appended]);
  const [event] = db.store.readAll();
  assert.equal(event?.schemaVersion, 1);
  assert.deepEqual(event?.data, appended.data);
});

test('an event from a newer writer than this build is returned as it is', () => {
  const future = recorded({ schemaVersion: 3, data: { files: 'anything' } });
  assert.equal(upcast(future), future);
});

test('JournalEntryWritten v1 → v2 normalises every shape early writers used', () => {
  const up = (data: unknown): unknown => journalEntryWrittenV1ToV2.upcast(data, {});
  assert.deepEqual(up({ text: 't', files: ['C:\\src\\a.ts', 'C:\\src\\a.ts:7', 'a.ts:0', ''], tags: 'bug' }), {
    text: 't', tags: ['bug'],
    files: [{ path: 'C:\\src\\a.ts' }, { path: 'C:\\src\\a.ts', line: 7 }, { path: 'a.ts:0' }],
  });
  assert.deepEqual(up({ text: 't', files: [{ path: 'a.ts', line: '9' }, { path: 'b.ts', line: -1 }, { line: 4 }, 42, null], tags: ['x', 1] }), {
    text: 't', tags: ['x'], files: [{ path: 'a.ts', line: 9 }, { path: 'b.ts' }],
  });
  assert.deepEqual(up({ text: 't' }), { text: 't', tags: [], files: [] });
  assert.equal(up('not an object'), 'not an object');
});

test('JournalEntryWritten v1 → v2 keeps data that is already v2-shaped as it is', () => {
  // Writers that already wrote {path, line?} files and tags but stamped version 1.
  const upcasted = upcast(recorded({ data: V2_JOURNAL_DATA }));
  assert.equal(upcasted.schemaVersion, 2);
  assert.deepEqual(upcasted.data, V2_JOURNAL_DATA);
});

test('writers stamp JournalEntryWritten at 2 and every other type at 1', () => {
  assert.equal(CURRENT_EVENT_VERSIONS.JournalEntryWritten, 2);
  assert.equal(CURRENT_EVENT_VERSIONS.WorkflowTransitioned, 1);
  assert.equal(currentSchemaVersion(JOURNAL), 2);
  assert.equal(currentSchemaVersion('PreToolUse'), 1);
  assert.ok(UPCASTERS.includes(journalEntryWrittenV1ToV2));
});

function step(type: string, fromVersion: number, change: (data: Record<string, unknown>, metadata: Readonly<Record<string, unknown>>) => Record<string, unknown>): Upcaster {
  return { type, fromVersion, toVersion: fromVersion + 1, upcast: (data, metadata) => change(data as Record<string, unknown>, metadata) };
}

test('a multi-step chain takes a v1 event to v3, and a v2 event through the last step only', () => {
  const registry: readonly Upcaster[] = [
    // Listed out of order: the registry orders steps by version.
    step('Thing', 2, (d) => ({ ...d, steps: [...(d['steps'] as string[]), '2→3'] })),
    step('Thing', 1, (d, m) => ({ ...d, steps: ['1→2'], source: m['source'] })),
  ];
  assert.equal(currentSchemaVersion('Thing', registry), 3);
  const fromV1 = upcast(recorded({ type: 'Thing', data: { n: 1 }, metadata: { source: 'hook' } }), registry);
  assert.equal(fromV1.schemaVersion, 3);
  assert.deepEqual(fromV1.data, { n: 1, steps: ['1→2', '2→3'], source: 'hook' });
  const fromV2 = upcast(recorded({ type: 'Thing', schemaVersion: 2, data: { steps: [] } }), buildUpcasterRegistry(registry));
  assert.deepEqual([fromV2.schemaVersion, fromV2.data], [3, { steps: ['2→3'] }]);
  const other = recorded({ type: JOURNAL, data: V1_JOURNAL_DATA });
  assert.equal(upcast(other, registry), other, 'a registry without the type leaves it alone');
});

function assertLogbookError(code: string, ...words: string[]): (error: unknown) => boolean {
  return (error: unknown) => error instanceof LogbookError && error.code === code && words.every((w) => error.message.includes(w));
}

test('a gap in a chain (v1→v2 missing, v2→v3 present) is refused when the registry is built', () => {
  const identity = (d: Record<string, unknown>): Record<string, unknown> => d;
  assert.throws(() => buildUpcasterRegistry([step('Thing', 2, identity)]), assertLogbookError('UPCASTER_CHAIN_GAP', 'Thing', 'version 1'));
  assert.throws(() => buildUpcasterRegistry([step('Thing', 1, identity), step('Thing', 3, identity)]), assertLogbookError('UPCASTER_CHAIN_GAP', 'Thing', 'version 2'));
  assert.throws(() => upcast(recorded({ type: 'Thing' }), [step('Thing', 2, identity)]), assertLogbookError('UPCASTER_CHAIN_GAP', 'Thing'));
});

test('an upcaster that skips a version or repeats one is refused', () => {
  const identity = (d: unknown): unknown => d;
  assert.throws(() => buildUpcasterRegistry([{ type: 'Thing', fromVersion: 1, toVersion: 3, upcast: identity }]), assertLogbookError('UPCASTER_INVALID_STEP', 'Thing'));
  assert.throws(() => buildUpcasterRegistry([{ type: 'Thing', fromVersion: 0, toVersion: 1, upcast: identity }]), assertLogbookError('UPCASTER_INVALID_STEP', 'Thing'));
  const once: Upcaster = { type: 'Thing', fromVersion: 1, toVersion: 2, upcast: identity };
  assert.throws(() => buildUpcasterRegistry([once, { ...once }]), assertLogbookError('UPCASTER_DUPLICATE', 'Thing', 'version 1'));
});
