import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { clampLine, FileJournalIndex, fileKey, resolveWorkspaceFile } from '../../src/projections/file-journal';
import { collectJournal, journalViewState } from '../../src/projections/journal-list';
import type { JournalSource } from '../../src/projections/journal-list';
import { summarizeSession } from '../../src/projections/session-summary';
import type { SessionSummaryState } from '../../src/projections/session-summary';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { filterJournal, journalWebviewMessage } from '../../src/protocol/journal';
import { stateMachineWebviewMessage } from '../../src/protocol/state-machine';
import type { RecordedEvent } from '../../src/store/event-store';
import { activityTitle, latestNoteTitle, link, oneLine } from '../../src/views/inline-journal/text';

// ---- builders ----

type Data = Record<string, unknown>;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const FOLDER = resolve('/work/space');
let position = 0;

/** A session from hook and workflow events; `at` offsets are seconds after T0. */
function session(id: string, steps: readonly [type: string, at: number, data: Data][]): SessionSummaryState {
  const events: RecordedEvent[] = steps.map(([type, at, data], i) => {
    position += 1;
    const workflow = !['PreToolUse', 'PostToolUse', 'SessionStart', 'Stop'].includes(type);
    const payload = workflow ? { ...data, at: iso(T0 + at * 1000) } : { session_id: id, hook_event_name: type, ...data };
    return {
      globalPosition: position, streamId: id, streamPosition: i + 1, eventId: `${id}-${i}`, type, schemaVersion: 1, recordedAt: iso(T0 + at * 1000),
      correlationId: null, causationId: null, data: payload, metadata: { source: workflow ? 'workflow' : 'hook', receivedAt: iso(T0 + at * 1000) },
    };
  });
  return summarizeSession(events);
}

const journal = (text: string, state: string, iteration: number, tags: string[] = [], files: Data[] = []): Data => ({ text, tags, files, state, iteration });
const edit = (file: string, id: string): Data => ({ tool_name: 'Edit', tool_input: { file_path: file, old_string: 'a', new_string: 'b' }, tool_use_id: id });

function sessions(): { a: SessionSummaryState; b: SessionSummaryState } {
  const a = session('aaaaaaaa-1', [
    ['SessionStart', 0, { source: 'startup' }],
    ['WorkflowStarted', 1, { definitionHash: 'h', name: 'loop', definition: {}, state: 'planning', iteration: 0 }],
    ['JournalEntryWritten', 2, journal('Plan: fix the parser', 'planning', 0, ['plan'], [{ path: 'src/parser.ts', line: 12 }])],
    ['WorkflowTransitioned', 3, { from: 'planning', to: 'developing', reason: 'go', iteration: 1 }],
    ['PreToolUse', 4, edit(join(FOLDER, 'src/parser.ts'), 't1')],
    ['PostToolUse', 5, edit(join(FOLDER, 'src/parser.ts'), 't1')],
    ['PreToolUse', 6, edit(join(FOLDER, 'src/parser.ts'), 't2')],
    ['PostToolUse', 7, edit(join(FOLDER, 'src/parser.ts'), 't2')],
    ['JournalEntryWritten', 9, journal('Fixed the <b>parser</b> [x](command:evil) $(alert)', 'developing', 1, ['fix', 'parser'], [{ path: 'src/parser.ts', line: 40 }, { path: 'README.md' }])],
  ]);
  const b = session('bbbbbbbb-2', [
    ['SessionStart', 1, { source: 'startup' }],
    ['JournalEntryWritten', 8, journal('Notes on the lexer', '', 0, ['notes'], [{ path: join(FOLDER, 'src/lexer.ts'), line: 3 }])],
    ['JournalEntryWritten', 8, journal('Same instant, written second', '', 0)],
  ]);
  return { a, b };
}

const sources = (): JournalSource[] => {
  const { a, b } = sessions();
  return [{ folder: FOLDER, workspace: 'space', sessions: [a, b] }];
};

// ---- journal list and filters ----

test('journal entries across sessions are newest first; same-instant entries latest written first; fields carried over', () => {
  const entries = collectJournal(sources());
  assert.deepEqual(entries.map((e) => e.text), ['Fixed the <b>parser</b> [x](command:evil) $(alert)', 'Same instant, written second', 'Notes on the lexer', 'Plan: fix the parser']);
  const fixed = entries[0];
  assert.ok(fixed);
  assert.equal(fixed.sessionId, 'aaaaaaaa-1');
  assert.equal(fixed.workspace, 'space');
  assert.equal(fixed.state, 'developing');
  assert.equal(fixed.iteration, 1);
  assert.equal(fixed.at, T0 + 9000);
  assert.deepEqual(fixed.tags, ['fix', 'parser']);
  assert.deepEqual(fixed.files, [{ path: 'src/parser.ts', line: 40 }, { path: 'README.md', line: null }]);
  assert.equal(new Set(entries.map((e) => e.id)).size, entries.length, 'ids are unique');
});

test('journal view state: sessions (latest first) and tags for the filters; the key pre-filters to a session', () => {
  const all = journalViewState('all', sources());
  assert.equal(all.initialSession, null);
  assert.equal(all.total, 4);
  assert.deepEqual(all.sessions.map((s) => [s.sessionId, s.entries]), [['aaaaaaaa-1', 2], ['bbbbbbbb-2', 2]]);
  assert.deepEqual(all.tags, ['fix', 'notes', 'parser', 'plan']);
  assert.equal(journalViewState('bbbbbbbb-2', sources()).initialSession, 'bbbbbbbb-2');
});

test('filters: by session, by tag, by text (case-insensitive, in text, tags, files, state), combined; order kept', () => {
  const entries = collectJournal(sources());
  const none = { session: null, tag: null, text: '' };
  assert.equal(filterJournal(entries, none).length, 4);
  assert.deepEqual(filterJournal(entries, { ...none, session: 'bbbbbbbb-2' }).map((e) => e.text), ['Same instant, written second', 'Notes on the lexer']);
  assert.deepEqual(filterJournal(entries, { ...none, tag: 'plan' }).map((e) => e.text), ['Plan: fix the parser']);
  assert.deepEqual(filterJournal(entries, { ...none, text: 'PARSER' }).map((e) => e.sessionId), ['aaaaaaaa-1', 'aaaaaaaa-1']);
  assert.equal(filterJournal(entries, { ...none, text: 'lexer.ts' }).length, 1, 'matches file paths');
  assert.equal(filterJournal(entries, { ...none, text: 'developing' }).length, 1, 'matches the state');
  assert.equal(filterJournal(entries, { session: 'aaaaaaaa-1', tag: 'fix', text: 'fixed' }).length, 1);
  assert.equal(filterJournal(entries, { session: 'bbbbbbbb-2', tag: 'fix', text: '' }).length, 0);
  assert.equal(filterJournal(entries, { ...none, text: '   ' }).length, 4, 'blank text filters nothing');
});

// ---- protocol ----

test('journal messages: good ones pass, bad ones are refused with a message naming the field', () => {
  const ok = (raw: unknown): void => assert.equal(parseWebviewMessage(journalWebviewMessage, raw, 'journal').ok, true, JSON.stringify(raw));
  const bad = (raw: unknown, pattern: RegExp): void => {
    const parsed = parseWebviewMessage(journalWebviewMessage, raw, 'journal');
    assert.equal(parsed.ok, false, JSON.stringify(raw));
    if (!parsed.ok) assert.match(parsed.problem, pattern);
  };
  ok({ type: 'openReport', sessionId: 'abc' });
  ok({ type: 'openFile', sessionId: 'abc', path: 'src/a.ts', line: 3 });
  ok({ type: 'openFile', sessionId: 'abc', path: 'src/a.ts' });
  bad({ type: 'openFile', sessionId: 'abc', path: '', line: 3 }, /journal view sent an invalid message "openFile": message\.path: path must not be empty/);
  bad({ type: 'openFile', sessionId: 'abc', path: 'a.ts', line: 0 }, /message\.line: line must be 1 or more/);
  bad({ type: 'openFile', sessionId: 'abc', path: 'a.ts', line: 2.5 }, /message\.line: line must be a whole number/);
  bad({ type: 'openFile', sessionId: 'abc', path: 'a\0.ts' }, /message\.path: path must not contain a NUL character/);
  bad({ type: 'openFile', sessionId: '', path: 'a.ts' }, /message\.sessionId: sessionId must not be empty/);
  bad({ type: 'openFile', sessionId: 'abc', path: 'a.ts', extra: 1 }, /message/);
  bad({ type: 'runCommand', command: 'rm' }, /"runCommand"/);
  bad('nope', /without a type/);
});

test('state-machine messages: selectState with a machine and a state or null; anything else refused', () => {
  const parse = (raw: unknown) => parseWebviewMessage(stateMachineWebviewMessage, raw, 'state-machine');
  assert.equal(parse({ type: 'selectState', machine: 'workflow', state: 'developing' }).ok, true);
  assert.equal(parse({ type: 'selectState', machine: 'workflow', state: null }).ok, true);
  assert.equal(parse({ type: 'selectState', machine: 'lifecycle', state: null, clear: true }).ok, true);
  assert.equal(parse({ type: 'openReport', sessionId: 's' }).ok, true);
  const wrong = parse({ type: 'selectState', machine: 'other', state: 'x' });
  assert.equal(wrong.ok, false);
  if (!wrong.ok) assert.match(wrong.problem, /state-machine view sent an invalid message "selectState": message\.machine/);
  assert.equal(parse({ type: 'selectState', machine: 'lifecycle', state: '' }).ok, false);
});

// ---- opening files ----

test('openFile paths: resolved inside the workspace folder; outside, parent escapes and other roots are refused', () => {
  assert.deepEqual(resolveWorkspaceFile(FOLDER, 'src/a.ts'), { ok: true, path: join(FOLDER, 'src/a.ts') });
  assert.deepEqual(resolveWorkspaceFile(FOLDER, join(FOLDER, 'src/a.ts')), { ok: true, path: join(FOLDER, 'src/a.ts') });
  assert.deepEqual(resolveWorkspaceFile(FOLDER, 'src/../b.ts'), { ok: true, path: join(FOLDER, 'b.ts') });
  for (const outside of ['../secret', '/etc/passwd', 'src/../../x', '..', '.', `${FOLDER}-other/a.ts`, '']) {
    const result = resolveWorkspaceFile(FOLDER, outside);
    assert.equal(result.ok, false, outside);
    if (!result.ok) assert.ok(result.problem.length > 0);
  }
  const refused = resolveWorkspaceFile(FOLDER, '../secret');
  assert.ok(!refused.ok && /is not inside the workspace folder/.test(refused.problem));
});

test('lines are clamped to the document', () => {
  assert.equal(clampLine(5, 10), 5);
  assert.equal(clampLine(50, 10), 10);
  assert.equal(clampLine(0, 10), 1);
  assert.equal(clampLine(-3, 10), 1);
  assert.equal(clampLine(undefined, 10), 1);
  assert.equal(clampLine(Number.NaN, 10), 1);
  assert.equal(clampLine(3, 0), 1);
});

// ---- file-journal index ----

test('file-journal index: edits and entries per file, joined across sessions, newest entry first, last session and its state', () => {
  const { a, b } = sessions();
  const index = new FileJournalIndex();
  assert.equal(index.updateSession(FOLDER, 'space', a), true);
  assert.equal(index.updateSession(FOLDER, 'space', b), true);
  const parser = index.lookup(join(FOLDER, 'src/parser.ts'));
  assert.ok(parser);
  assert.equal(parser.edits, 2);
  assert.equal(parser.lastEditAt, T0 + 7000);
  assert.deepEqual(parser.notes.map((n) => [n.text.slice(0, 5), n.line]), [['Fixed', 40], ['Plan:', 12]]);
  assert.deepEqual(parser.last, { sessionId: 'aaaaaaaa-1', workspace: 'space', lifecycleState: a.lifecycle.state, workflowState: 'developing', at: T0 + 9000 });
  assert.deepEqual(index.referencedLines(join(FOLDER, 'src/parser.ts')), [12, 40]);
  // A relative path in an entry and an absolute one from a tool are the same file.
  const readme = index.lookup(join(FOLDER, 'README.md'));
  assert.equal(readme?.edits, 0);
  assert.equal(readme?.notes.length, 1);
  assert.equal(index.lookup(join(FOLDER, 'src/lexer.ts'))?.last?.sessionId, 'bbbbbbbb-2');
  assert.equal(index.lookup(join(FOLDER, 'untouched.ts')), undefined);
  assert.equal(index.size, 3);
});

test('file-journal index: updating a session replaces its contribution; removing a workspace forgets it', () => {
  const { a, b } = sessions();
  const index = new FileJournalIndex();
  index.updateSession(FOLDER, 'space', a);
  index.updateSession(FOLDER, 'space', b);
  // The same session again, now with only its first events: the later edits and entry are gone.
  const shorter = session('aaaaaaaa-1', [
    ['SessionStart', 0, { source: 'startup' }],
    ['JournalEntryWritten', 2, journal('Plan only', 'planning', 0, [], [{ path: 'src/parser.ts', line: 12 }])],
  ]);
  index.updateSession(FOLDER, 'space', shorter);
  const parser = index.lookup(join(FOLDER, 'src/parser.ts'));
  assert.equal(parser?.edits, 0);
  assert.deepEqual(parser?.notes.map((n) => n.text), ['Plan only']);
  assert.equal(index.lookup(join(FOLDER, 'README.md')), undefined);
  assert.equal(index.updateSession(FOLDER, 'space', summarizeSession([])), false, 'a session without an id touches nothing');
  index.removeWorkspace(FOLDER);
  assert.equal(index.size, 0);
  assert.equal(index.lookup(join(FOLDER, 'src/lexer.ts')), undefined);
});

test('file-journal index: the lens state follows the session without re-indexing its files', () => {
  const { a } = sessions();
  const index = new FileJournalIndex();
  index.updateSession(FOLDER, 'space', a);
  const later = { ...a, lifecycle: { ...a.lifecycle, state: 'ended' as const } };
  assert.equal(index.updateSession(FOLDER, 'space', later), true);
  assert.equal(index.lookup(join(FOLDER, 'src/parser.ts'))?.last?.lifecycleState, 'ended');
  assert.equal(fileKey(join(FOLDER, 'x', '..', 'src/parser.ts')), fileKey(join(FOLDER, 'src/parser.ts')));
});

test('inline texts: one line, bounded, and agent text cannot produce CodeLens icons', () => {
  const { a } = sessions();
  const index = new FileJournalIndex();
  index.updateSession(FOLDER, 'space', a);
  const activity = index.lookup(join(FOLDER, 'src/parser.ts'));
  assert.ok(activity);
  assert.equal(activityTitle(activity), `$(history) 2 agent edits · last: aaaaaaaa (developing · ${a.lifecycle.state.replace(/_/g, ' ')})`);
  const note = activity.notes[0];
  assert.ok(note);
  const title = latestNoteTitle(note);
  assert.ok(title.startsWith('$(note) Fixed the <b>parser</b>'));
  assert.ok(!title.slice(2).includes('$('), 'the entry\'s $(alert) is defused');
  assert.equal(oneLine('a\n\tb\u0007c', 80), 'a b c');
  assert.equal(oneLine('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
});

test('hover command links carry the session id JSON-encoded: no character of it can end the link', () => {
  const hostile = 'x) [evil](command:workbench.action.terminal.sendSequence?{"text":"rm"} \'!*~';
  const md = link('Report', 'logbook.openReport', hostile);
  const target = md.slice(md.indexOf('](') + 2, -1);
  assert.ok(md.startsWith('[Report](command:logbook.openReport?'));
  assert.ok(md.endsWith(')'));
  assert.ok(!/[()\[\]\s'!*~"{}]/.test(target), target);
  assert.deepEqual(JSON.parse(decodeURIComponent(target.slice('command:logbook.openReport?'.length))), [hostile]);
});
