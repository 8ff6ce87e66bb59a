// Every inbox entry names who wrote it (hook, cli, mcp, vscode, transcript, import), and the store keeps it as the
// event's metadata.source. What the VS Code extension writes itself (today: the announcement
// of an edited workflow file to every session in progress) is marked `vscode`, not `cli`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { entryFileName, eventsEntryText, EVENTS_ENTRY_SUFFIX, INBOX_SOURCES, stampNow } from '../../src/capture/inbox-writer';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { stampEntry } from '../../src/capture/provenance';
import { parseInboxEntry } from '../../src/ingest/inbox-entry';
import { normalizeEntry } from '../../src/ingest/normalize';
import { LogbookWriter } from '../../src/ingest/writer';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { actOnSession } from '../../src/workflow/act';
import { announceWorkflowChange } from '../../src/workflow/announce';
import { putInInbox, tempDir } from './helpers';

const TEMPLATE = join(__dirname, '..', '..', 'templates', 'workflow.team-loop.json');
const JOURNAL = { type: 'JournalEntryWritten', data: { text: 'x', tags: [], files: [], state: 'a', iteration: 0, at: '2026-01-01T00:00:00.000Z' } };

async function ingest(paths: LogbookPaths): Promise<void> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok);
  try {
    started.writer.ingest();
    started.writer.flush();
    await started.writer.removeCommittedEntries();
  } finally {
    started.writer.close();
  }
}

test('an entry of each source, vscode included, reads back as an events entry whose metadata names that source', () => {
  assert.deepEqual([...INBOX_SOURCES], ['hook', 'cli', 'mcp', 'vscode', 'transcript', 'import']);
  for (const source of INBOX_SOURCES) {
    const stamp = stampNow();
    const name = entryFileName(stamp, EVENTS_ENTRY_SUFFIX);
    const entry = parseInboxEntry(name, eventsEntryText(stamp, source, 's', [JOURNAL]));
    assert.equal(entry.kind, 'events', `${source}: ${entry.kind === 'unreadable' ? entry.reason : entry.kind}`);
    assert.equal(entry.stamp.source, source);
    const record = normalizeEntry(entry, { maxFieldBytes: 1024 });
    assert.equal(record.streamId, 's');
    assert.equal(record.event.type, JOURNAL.type, 'stored as the event it is, not quarantined');
    assert.equal(record.event.metadata['source'], source);
  }
});

test('an entry naming a source no writer has is unreadable, and the reason names the field', () => {
  const text = stampEntry(JSON.stringify({ v: 1, id: '0190aaaa-0000-7000-8000-000000000001', receivedAt: '2026-01-01T00:00:00.000Z', receivedUs: 1, source: 'browser', sessionId: 's', events: [JOURNAL] }));
  const entry = parseInboxEntry('00000000000000001-x.cmd.json', text);
  assert.equal(entry.kind, 'unreadable');
  assert.match(entry.kind === 'unreadable' ? entry.reason : '', /source/);
});

test('a workflow change announced with source vscode (as the extension announces it) is stored as vscode; the CLI entry stays cli', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    mkdirSync(paths.dir, { recursive: true });
    copyFileSync(TEMPLATE, paths.workflow);
    putInInbox(paths.inbox, { session_id: 'live', hook_event_name: 'SessionStart', source: 'startup' }, 'SessionStart');
    await ingest(paths);
    await actOnSession(paths, 'live', (at) => ({ type: 'WriteJournal', text: 'started', tags: [], files: [], at }), 'cli');
    await ingest(paths);

    const definition = JSON.parse(readFileSync(paths.workflow, 'utf8')) as { description?: string };
    writeFileSync(paths.workflow, JSON.stringify({ ...definition, description: 'Edited in VS Code.' }, null, 2));
    assert.deepEqual((await announceWorkflowChange(paths, { source: 'vscode' })).sessions, ['live']);
    assert.equal(readdirSync(paths.inbox).filter((n) => n.endsWith(EVENTS_ENTRY_SUFFIX)).length, 1, 'one entry, for the one session in progress');
    await ingest(paths);

    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    try {
      const sources = opened.database.store.readStream('live').map((e) => [e.type, e.metadata['source']]);
      assert.deepEqual(sources.filter(([type]) => type === 'WorkflowDefinitionChanged'), [['WorkflowDefinitionChanged', 'vscode']]);
      assert.deepEqual(sources.filter(([type]) => type === 'JournalEntryWritten'), [['JournalEntryWritten', 'cli']], 'the CLI\'s own entry keeps its source');
    } finally {
      opened.database.close();
    }
  } finally {
    cleanup();
  }
});
