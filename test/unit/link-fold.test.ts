import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordedEvent } from '../../src/store/event-store';
import { LinkFold } from '../../src/projections/groups/link-fold';
import { inferHandoffs } from '../../src/projections/groups/handoffs';
import { commitsMade, hashesIn } from '../../src/projections/groups/commit-text';

// The link fold over hand-made events: which links it finds, with which evidence, and what it
// refuses (ambiguous calls, self hand-offs, hostile origin fields).

let position = 0;
function ev(session: string, type: string, data: Record<string, unknown>, at: number): RecordedEvent {
  position += 1;
  return {
    globalPosition: position, streamId: session, streamPosition: position, eventId: `e${position}`, type, schemaVersion: 1,
    recordedAt: new Date(at).toISOString(), correlationId: null, causationId: null,
    data: { hook_event_name: type, session_id: session, cwd: '/w', ...data }, metadata: { receivedAt: new Date(at).toISOString() },
  };
}
const bash = (s: string, id: string, command: string, at: number): RecordedEvent => ev(s, 'PreToolUse', { tool_name: 'Bash', tool_use_id: id, tool_input: { command } }, at);
const bashDone = (s: string, id: string, command: string, stdout: string, at: number): RecordedEvent => ev(s, 'PostToolUse', { tool_name: 'Bash', tool_use_id: id, tool_input: { command }, tool_response: { stdout, stderr: '' } }, at);
const shell = (command: string): string => `/bin/bash -c source /h/.claude/shell-snapshots/s.sh 2>/dev/null || true && eval '${command.replace(/'/g, "'\\''")}' < /dev/null && pwd -P >| /tmp/x `;

/** The fold as the writer runs it: each event stored before it is folded (the parent's open calls are read back). */
function streamsOf(events: readonly RecordedEvent[]): Array<{ sessionId: string; events: RecordedEvent[] }> {
  const by = new Map<string, RecordedEvent[]>();
  for (const e of events) by.set(e.streamId, [...(by.get(e.streamId) ?? []), e]);
  return [...by].map(([sessionId, list]) => ({ sessionId, events: list }));
}

function fold(events: readonly RecordedEvent[], stored: RecordedEvent[] = []): LinkFold {
  const f = new LinkFold(() => undefined, (id, before) => stored.filter((e) => e.streamId === id && e.globalPosition < before));
  for (const e of events) {
    stored.push(e);
    f.apply(e);
  }
  return f;
}

describe('link fold', () => {
  it('links a child to the parent call whose command its process tree shows, among several open calls', () => {
    const f = fold([
      bash('lead', 'tu1', 'sh worker.sh A', 1000),
      bash('lead', 'tu2', "sh worker.sh 'B'", 1001),
      ev('child', 'LogbookOrigin', { parent_session_id: 'lead', parent_command: shell("sh worker.sh 'B'"), run: 'r1' }, 1500),
    ]);
    const [link] = f.session('child')?.links ?? [];
    assert.equal(link?.kind, 'spawn');
    assert.equal(link?.from, 'lead');
    assert.equal(link?.exact, true);
    assert.equal(link?.toolUseId, 'tu2');
    assert.equal(link?.toolUseMatch, 'command');
    assert.deepEqual(link?.evidence.map((e) => e.eventId), ['e2', 'e3']);
    assert.equal(f.session('child')?.origin?.run, 'r1');
  });

  it('takes the only open call when the tree shows no command, and names no call when several are open', () => {
    const one = fold([bash('p', 'tu1', 'make', 1), ev('c', 'LogbookOrigin', { parent_session_id: 'p' }, 2)]);
    assert.equal(one.session('c')?.links[0]?.toolUseId, 'tu1');
    assert.equal(one.session('c')?.links[0]?.toolUseMatch, 'only-open-call');
    const two = fold([bash('p', 'tu1', 'a', 1), bash('p', 'tu2', 'b', 1), ev('c', 'LogbookOrigin', { parent_session_id: 'p', parent_command: 'nohup x' }, 2)]);
    assert.equal(two.session('c')?.links[0]?.toolUseId, undefined);
    assert.equal(two.session('c')?.links[0]?.exact, true, 'the session link itself is still exact');
  });

  it('a finished call is not a candidate', () => {
    const f = fold([bash('p', 'tu1', 'a', 1), bashDone('p', 'tu1', 'a', '', 2), ev('c', 'LogbookOrigin', { parent_session_id: 'p' }, 3)]);
    assert.equal(f.session('c')?.links[0]?.toolUseId, undefined);
  });

  it('finds a file hand-off from the last writer to a later reader in another session, once, when the group is read', () => {
    const write = ev('a', 'PostToolUse', { tool_name: 'Write', tool_use_id: 'w', tool_input: { file_path: '/w/out.txt' } }, 10);
    const read1 = ev('b', 'PostToolUse', { tool_name: 'Read', tool_use_id: 'r1', tool_input: { file_path: 'out.txt' } }, 20);
    const read2 = ev('b', 'PostToolUse', { tool_name: 'Edit', tool_use_id: 'r2', tool_input: { file_path: '/w/./out.txt' } }, 30);
    const back = ev('a', 'PostToolUse', { tool_name: 'Read', tool_use_id: 'r3', tool_input: { file_path: '/w/out.txt' } }, 40);
    const links = inferHandoffs(streamsOf([write, read1, read2, back]));
    // B read A's version, then edited it: A reading it afterwards got B's version.
    assert.deepEqual(links.map((l) => [l.kind, l.from, l.to, l.subject, l.exact]), [['handoff-file', 'a', 'b', '/w/out.txt', false], ['handoff-file', 'b', 'a', '/w/out.txt', false]]);
    assert.deepEqual(links[0]?.evidence.map((e) => [e.sessionId, e.what]), [['a', 'wrote /w/out.txt'], ['b', 'read /w/out.txt']]);
    assert.deepEqual(links[1]?.evidence.map((e) => e.what), ['edited /w/out.txt', 'read /w/out.txt']);
    assert.equal(new LinkFold().linksInto('b').length, 0, 'nothing at ingest');
  });

  it('a failed write is no hand-off, and a read before the write is none either', () => {
    const links = inferHandoffs(streamsOf([
      ev('b', 'PostToolUse', { tool_name: 'Read', tool_input: { file_path: '/w/x' } }, 1),
      ev('a', 'PostToolUseFailure', { tool_name: 'Write', tool_input: { file_path: '/w/x' } }, 2),
      ev('b', 'PostToolUse', { tool_name: 'Read', tool_input: { file_path: '/w/x' } }, 3),
    ]));
    assert.deepEqual(links, []);
  });

  it('finds a commit hand-off: a commit made in A, its hash seen through git in B', () => {
    const links = inferHandoffs(streamsOf([
      bashDone('a', 'c1', 'git commit -m fix', '[feature 1a2b3c4] fix the parser\n 1 file changed', 10),
      bashDone('b', 'c0', 'cat notes.txt', 'see 1a2b3c4', 15),
      bashDone('b', 'c2', 'git log --oneline -3', '1a2b3c4 fix the parser\n9f8e7d6 earlier', 20),
    ]));
    assert.equal(links.length, 1);
    assert.equal(links[0]?.kind, 'handoff-commit');
    assert.equal(links[0]?.from, 'a');
    assert.equal(links[0]?.subject, '1a2b3c4');
    assert.match(links[0]?.evidence[0]?.what ?? '', /committed 1a2b3c4 on feature/);
    assert.equal(links[0]?.evidence[1]?.eventId, 'e' + String(position), 'the git log, not the cat');
  });

  it('finds a task hand-off: created in A\'s list, completed in B naming that list; never across lists', () => {
    const f = fold([
      ev('aaaaaaaa-1', 'TaskCreated', { task_id: '7', task_subject: 'write the docs' }, 1),
      ev('b', 'TaskCompleted', { task_id: '7', task_subject: 'write the docs', team_name: 'session-aaaaaaaa', teammate_name: 'docs' }, 2),
      ev('c', 'TaskCompleted', { task_id: '7' }, 3),
      ev('aaaaaaaa-1', 'TaskCompleted', { task_id: '7' }, 4),
    ]);
    assert.equal(f.linksInto('b').find((l) => l.kind === 'handoff-task')?.from, 'aaaaaaaa-1');
    assert.equal(f.session('c'), undefined, 'task 7 of c\'s own list is another task');
    // The list is named after its lead: the creator joins the team as its lead; its own completion links nothing.
    assert.equal(f.session('aaaaaaaa-1')?.origin?.team, 'session-aaaaaaaa');
    assert.deepEqual(f.linksInto('aaaaaaaa-1'), []);
  });

  it('reads hostile origin fields as absent, never the event', () => {
    const f = fold([ev('c', 'LogbookOrigin', { parent_session_id: '../../etc/passwd', traceparent: 'x', run: 'r'.repeat(300), worktree: 7, branch: 'main' }, 1)]);
    const origin = f.session('c')?.origin;
    assert.equal(origin?.parentSessionId, undefined);
    assert.equal(origin?.traceparent, undefined);
    assert.equal(origin?.run, undefined);
    assert.equal(origin?.worktree, undefined);
    assert.equal(origin?.branch, 'main');
    assert.deepEqual(f.session('c')?.links, []);
  });

  it('keeps what it changed for the keeper to save, and loads what it lacks', () => {
    const stored: RecordedEvent[] = [];
    const f = fold([bash('p', 'tu1', 'x', 1), ev('c', 'LogbookOrigin', { parent_session_id: 'p', run: 'r' }, 2)], stored);
    const saved = new Map(f.takeDirty());
    assert.deepEqual([...saved.keys()].sort(), ['s:c']);
    assert.deepEqual(f.takeDirty(), []);
    // A second fold resuming from the saved parts knows the session's origin, and reads the parent's open call back from the store.
    const resumed = new LinkFold((key) => saved.get(key), (id, before) => stored.filter((e) => e.streamId === id && e.globalPosition < before));
    assert.equal(resumed.session('c')?.origin?.run, 'r');
    const d = ev('d', 'LogbookOrigin', { parent_session_id: 'p' }, 3);
    stored.push(d);
    resumed.apply(d);
    assert.equal(resumed.session('d')?.links[0]?.toolUseId, 'tu1');
  });
});

describe('commit text', () => {
  it('reads git\'s summary line, and every hex word of 7 to 40 digits (a short hash may be all digits)', () => {
    assert.deepEqual(commitsMade('[main (root-commit) abc1234] init\n[detached HEAD 0f0f0f0] x'), [{ branch: 'main', hash: 'abc1234' }, { branch: 'detached HEAD', hash: '0f0f0f0' }]);
    assert.deepEqual(hashesIn('deadbeef 1234567 abc1234 cafe'), ['deadbeef', '1234567', 'abc1234']);
  });
});

describe('link fold: agent teams', () => {
  const lead = '1ea89a17-0000-4000-8000-000000000001';
  const team = 'session-1ea89a17';
  it('links a teammate started with --parent-session-id to the lead\'s Agent call, and its messages and tasks', () => {
    const f = fold([
      ev(lead, 'PreToolUse', { tool_name: 'Agent', tool_use_id: 'ag1', tool_input: { name: 'worker', prompt: 'p' } }, 1),
      ev(lead, 'PostToolUse', { tool_name: 'Agent', tool_use_id: 'ag1', tool_input: { name: 'worker' } }, 2),
      ev('mate', 'LogbookOrigin', { parent_session_id: lead, parent_via: 'argument', team, agent_name: 'worker' }, 3),
      ev(lead, 'TaskCreated', { task_id: '1', task_subject: 'write w.txt' }, 4),
      ev(lead, 'PreToolUse', { tool_name: 'SendMessage', tool_use_id: 'm1', tool_input: { to: 'worker', summary: 'go', message: 'go' } }, 5),
      ev('mate', 'TaskCompleted', { task_id: '1', task_subject: 'write w.txt', team_name: team, teammate_name: 'worker' }, 6),
      ev('mate', 'PreToolUse', { tool_name: 'SendMessage', tool_use_id: 'm2', tool_input: { to: 'team-lead', summary: 'done' } }, 7),
      // Another session's task "1" is another list's: no hand-off.
      ev('other', 'TaskCompleted', { task_id: '1' }, 8),
    ]);
    const into = f.linksInto('mate');
    const spawn = into.find((l) => l.kind === 'spawn');
    assert.equal(spawn?.from, lead);
    assert.equal(spawn?.toolUseId, 'ag1', 'the Agent call, though it already returned');
    assert.match(spawn?.evidence[1]?.what ?? '', /teammate worker of team session-1ea89a17/);
    assert.equal(into.find((l) => l.kind === 'message')?.from, lead);
    assert.equal(into.find((l) => l.kind === 'handoff-task')?.from, lead);
    assert.equal(f.linksInto(lead).find((l) => l.kind === 'message')?.from, 'mate');
    assert.equal(f.session('other'), undefined);
    assert.equal(f.session('mate')?.origin?.team, team);
  });

  it('a TeammateIdle in the lead\'s own session (in-process teammates) does not make the lead a teammate', () => {
    const f = fold([ev(lead, 'TeammateIdle', { team_name: team, teammate_name: 'worker' }, 1)]);
    assert.equal(f.session(lead), undefined);
  });
});
