import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookCommand } from '../../src/capture/installer';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { runHook } from '../../src/capture/hook';
import { entryFileName, entryText, stampNow, writeInboxEntry } from '../../src/capture/inbox-writer';
import { LIVE_LOG } from '../../src/capture/inbox-log';
import { UNSAFE_PATH } from '../../src/capture/safe-fs';
import { LogbookWriter } from '../../src/ingest/writer';
import { entryReader } from '../../src/ingest/read-ahead';
import { QUARANTINE_STREAM } from '../../src/ingest/normalize';
import { LogbookDatabase } from '../../src/store/logbook-database';
import { loadWorkflow } from '../../src/workflow/definition-file';
import { putInInbox, tempDir } from './helpers';

// Issue 12: a cloned repository can ship links (and FIFOs, hard links) under .logbook/. The
// hook and the writer must neither write, chmod nor read through any of them.

const posix = process.platform !== 'win32';
const cli = join(__dirname, '..', '..', 'dist', 'logbook.js');
const VICTIM_TEXT = 'export SECRET=victim-marker-7d1e\n';

function mkfifo(path: string): void {
  if (spawnSync('mkfifo', [path]).status !== 0) throw new Error(`mkfifo ${path} failed`);
}

/** A file outside the workspace that a planted link points at, with what must stay as it is. */
function victimIn(dir: string, text = VICTIM_TEXT): { path: string; unchanged: () => void } {
  const path = join(dir, 'victim.txt');
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return { path, unchanged: () => {
    assert.equal(readFileSync(path, 'utf8'), text, 'the victim file was not written');
    assert.equal(statSync(path).mode & 0o777, 0o644, 'the victim file was not chmodded');
  } };
}

async function startWriter(paths: LogbookPaths): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
  assert.ok(started.ok, 'the writer started');
  return started.writer;
}

/** Every event's data in a store, as text (to show what was, and was not, read into it). */
function storedText(writer: LogbookWriter): string {
  return JSON.stringify(writer.database.store.readAll());
}

test('the issue\'s repro: the installed hook, run as Claude Code runs it, does not append to a planted live.log, and logbook ingest does not chmod it', { skip: (!posix || !existsSync(cli)) && 'needs POSIX and a build (node scripts/build.mjs)' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const workspace = join(dir, 'W');
    const paths = logbookPaths(workspace);
    mkdirSync(paths.inbox, { recursive: true });
    chmodSync(paths.inbox, 0o755);
    const victim = victimIn(dir);
    symlinkSync(victim.path, join(paths.inbox, LIVE_LOG));
    const install = spawnSync(process.execPath, [cli, 'install-hooks', '--workspace', workspace], { encoding: 'utf8' });
    assert.equal(install.status, 0, install.stderr);
    assert.equal(statSync(paths.inbox).mode & 0o777, 0o700, 'the pre-existing inbox was made private');

    const payload = JSON.stringify({ session_id: 'S', hook_event_name: 'UserPromptSubmit', prompt: `$(touch ${join(dir, 'pwned')})` });
    const hook = spawnSync('sh', ['-c', hookCommand('UserPromptSubmit')], { input: payload, env: { ...process.env, CLAUDE_PROJECT_DIR: workspace }, encoding: 'utf8' });
    assert.equal(hook.status, 0, 'the hook never blocks Claude Code');
    assert.equal(hook.stdout, '');
    // The launcher saves an event that decides nothing by itself, in a file of its own (the hook
    // program's refusal of a planted log is the next test's).
    assert.equal(hook.stderr, '');
    assert.equal(readdirSync(paths.inbox).filter((n) => n.endsWith('.rawhook')).length, 1, 'the event was kept in an entry file');
    victim.unchanged();

    const ingest = spawnSync(process.execPath, [cli, 'ingest', '--workspace', workspace], { encoding: 'utf8' });
    assert.match(ingest.stdout, /ingested 2 event\(s\) from 1 session\(s\); 1 invalid input\(s\) kept in the \$quarantine stream/, 'the event was not lost; the planted link is kept aside');
    assert.match(ingest.stderr, new RegExp(`inbox file \\d{17}-.*\\.log could not be read: .* is a symbolic link to ${victim.path}`));
    assert.match(ingest.stderr, new RegExp(`warning: ${join(paths.inbox, LIVE_LOG)} is a symbolic link`), 'the planted link was pointed out before the ingest');
    victim.unchanged();
    const opened = await LogbookDatabase.open(paths.store);
    assert.ok(opened.ok);
    const stored = opened.database.store.readStream('S');
    opened.database.close();
    assert.deepEqual(stored.map((e) => [e.type, (e.data as { prompt?: string }).prompt]), [['UserPromptSubmit', `$(touch ${join(dir, 'pwned')})`]]);
  } finally {
    cleanup();
  }
});

test('a live.log planted as a symlink, a dangling link, a FIFO, a folder or a hard link gets nothing from the hook, which keeps the event in an entry file and says why', { skip: !posix }, () => {
  const plants: [string, (live: string, victim: string) => void, RegExp][] = [
    ['symlink', (live, victim) => symlinkSync(victim, live), /is a symbolic link to/],
    ['dangling symlink', (live, victim) => symlinkSync(`${victim}.absent`, live), /is a symbolic link to/],
    ['FIFO', (live) => mkfifo(live), /is a FIFO/],
    ['folder', (live) => mkdirSync(live), /is a folder, not a regular file/],
    ['hard link', (live, victim) => linkSync(victim, live), /has 2 hard links/],
  ];
  for (const [name, plant, why] of plants) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(join(dir, 'W'));
      mkdirSync(paths.inbox, { recursive: true });
      const victim = victimIn(dir);
      plant(join(paths.inbox, LIVE_LOG), victim.path);
      const outcome = runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => JSON.stringify({ session_id: 's', hook_event_name: 'Stop' }) });
      assert.match(outcome.file ?? '', /\d{17}-[0-9a-f-]{36}\.json$/, `${name}: the event went to an entry file`);
      assert.match(outcome.error ?? '', why, name);
      assert.match(readFileSync(outcome.file ?? '', 'utf8'), /"hook_event_name":"Stop"/);
      victim.unchanged();
      assert.ok(!existsSync(`${victim.path}.absent`), `${name}: the link's target was not created`);
    } finally {
      cleanup();
    }
  }
});

test('a planted .logbook/, inbox/ or inbox/.tmp link takes no entry from the hook or the CLI writers: the target folder stays empty and the error names the link', { skip: !posix }, () => {
  for (const linked of ['dir', 'inbox', 'inboxTmp'] as const) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(join(dir, 'W'));
      mkdirSync(join(dir, 'W'));
      if (linked !== 'dir') mkdirSync(linked === 'inbox' ? paths.dir : paths.inbox, { recursive: true, mode: 0o700 });
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      symlinkSync(elsewhere, paths[linked]);
      const why = new RegExp(`${paths[linked]} is a symbolic link to ${elsewhere}`);
      const nfs = (): number => 0x6969; // entry files, as on a network file system: .tmp is used
      const outcome = runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => '{"session_id":"s","hook_event_name":"Stop"}', fileSystemType: nfs });
      assert.equal(outcome.file, undefined, linked);
      assert.match(outcome.error ?? '', why, linked);
      if (linked !== 'inboxTmp') assert.equal(runHook({ inboxDir: paths.inbox, hookEvent: 'Stop', readStdin: () => '{}' }).file, undefined, `${linked}: no live log through it either`);
      const stamp = stampNow();
      assert.throws(() => writeInboxEntry(paths.inbox, entryFileName(stamp), entryText(stamp, 'cli', undefined, '{}')), (error: Error & { code?: string }) => error.code === UNSAFE_PATH && why.test(error.message));
      assert.deepEqual(readdirSync(elsewhere), [], `${linked}: nothing was created through the link`);
    } finally {
      cleanup();
    }
  }
});

test('planted entries in the inbox (symlinks to a secret, a hard link, a FIFO, a folder, a linked claimed log) are not read into the store, not chmodded, and do not hang the writer', { skip: !posix }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const paths = logbookPaths(dir);
    const genuine = putInInbox(paths.inbox, { session_id: 'real', hook_event_name: 'Stop' });
    const genuineFile = readdirSync(paths.inbox).filter((n) => n.endsWith('.json'));
    // The victim reads as a genuine entry: if any planted name were followed, the store would hold it.
    const stamp = stampNow();
    const victim = victimIn(dir, entryText(stamp, 'hook', 'Stop', JSON.stringify({ session_id: 'stolen', hook_event_name: 'Stop', secret: 'victim-marker-7d1e' })));
    const planted = [
      `${entryFileName(stamp)}`,
      `${entryFileName(stampNow())}`,
      `${entryFileName(stampNow())}`,
      `${entryFileName(stampNow())}`,
      `${entryFileName(stampNow(), '.log')}`,
      `${entryFileName(stampNow(), '.log')}`,
      `${String(Date.now() * 1000).padStart(17, '0')}-sh1-Stop.rawhook`,
    ];
    symlinkSync(victim.path, join(paths.inbox, planted[0] as string));
    linkSync(victim.path, join(paths.inbox, planted[1] as string));
    mkfifo(join(paths.inbox, planted[2] as string));
    mkdirSync(join(paths.inbox, planted[3] as string));
    symlinkSync(victim.path, join(paths.inbox, planted[4] as string));
    mkfifo(join(paths.inbox, planted[5] as string));
    symlinkSync(victim.path, join(paths.inbox, planted[6] as string));
    const writer = await startWriter(paths);
    try {
      const report = writer.ingest();
      writer.flush();
      await writer.removeCommittedEntries();
      assert.deepEqual(writer.database.store.readStream('real').map((e) => e.eventId), [genuine], 'the genuine entry was stored');
      assert.doesNotMatch(storedText(writer), /victim-marker-7d1e|stolen/, 'nothing planted was read into the store');
      assert.equal(report.quarantined, planted.length);
      const held = writer.database.store.readStream(QUARANTINE_STREAM).map((e) => String((e.data as { reason?: unknown }).reason));
      for (const name of planted) {
        const problem = held.find((reason) => reason.startsWith(`inbox file ${name} could not be read: `));
        assert.match(problem ?? `${name}: not kept aside`, /is a symbolic link to|has 2 hard links|is a FIFO|is a folder/, name);
        // Renamed as it is (a link moves as a link): out of the inbox, never read again.
        assert.ok(lstatSync(join(paths.archive, name)), `${name} was moved out of the inbox`);
      }
      assert.deepEqual(readdirSync(paths.archive).sort(), [...genuineFile, ...planted].sort());
      victim.unchanged();
    } finally {
      writer.close();
    }
  } finally {
    cleanup();
  }
});

test('the read-ahead helper thread opens entries as the writer does: a planted link or FIFO is left to the writer, which refuses it', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const inbox = join(dir, 'inbox');
    const victim = victimIn(dir, '{"stolen":true}\n');
    putInInbox(inbox, { session_id: 's', hook_event_name: 'Stop' });
    const real = readdirSync(inbox).filter((n) => n.endsWith('.json'));
    symlinkSync(victim.path, join(inbox, 'a-link.json'));
    mkfifo(join(inbox, 'b-fifo.json'));
    linkSync(victim.path, join(inbox, 'c-hard.json'));
    const reader = entryReader(inbox, ['a-link.json', 'b-fifo.json', 'c-hard.json', ...real], 65_536, 1);
    try {
      for (const name of ['a-link.json', 'b-fifo.json', 'c-hard.json']) {
        assert.throws(() => reader.read(name), (error: Error & { code?: string }) => error.code === UNSAFE_PATH && error.message.startsWith(join(inbox, name)), name);
      }
      const read = reader.read(real[0] as string);
      assert.ok(read.text !== undefined || read.prepared !== undefined, 'a genuine entry is read');
    } finally {
      reader.close();
    }
    victim.unchanged();
  } finally {
    cleanup();
  }
});

test('the hook\'s workflow check reads no compiled workflow through a planted state/ or linked state/workflow.json: it fails open', { skip: !posix }, () => {
  for (const linked of ['state', 'compiled'] as const) {
    const { dir, cleanup } = tempDir();
    try {
      const paths = logbookPaths(dir);
      mkdirSync(paths.dir, { mode: 0o700 });
      copyFileSync(join(__dirname, '..', '..', 'templates', 'workflow.minimal.json'), paths.workflow);
      assert.equal(loadWorkflow(paths).status, 'ok');
      const sessionStart = (): string | undefined => runHook({ inboxDir: paths.inbox, hookEvent: 'SessionStart', readStdin: () => '{"session_id":"s","hook_event_name":"SessionStart"}' }).output;
      assert.match(sessionStart() ?? '', /additionalContext/, 'with the real state folder the hook answers');
      const elsewhere = join(dir, 'elsewhere');
      if (linked === 'state') {
        renameSync(paths.state, elsewhere);
        symlinkSync(elsewhere, paths.state);
      } else {
        mkdirSync(elsewhere);
        renameSync(paths.compiledWorkflow, join(elsewhere, 'workflow.json'));
        symlinkSync(join(elsewhere, 'workflow.json'), paths.compiledWorkflow);
      }
      assert.equal(sessionStart(), undefined, `${linked}: not read through the link`);
    } finally {
      cleanup();
    }
  }
});
