import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { hookCommand, installHooks } from '../../src/capture/installer';
import type { InstallOptions } from '../../src/capture/installer';
import { HOOK_WARNED_MARKER } from '../../src/capture/launcher';
import { logbookPaths } from '../../src/capture/paths';
import { inspectLogbookDir } from '../../src/capture/planted';
import { LogbookWriter } from '../../src/ingest/writer';
import { putInInbox, tempDir } from './helpers';

// Issue 12: the installer leaves in `.logbook/bin/` only what it wrote; the sh launcher's
// fallback writes through no link; a planted-looking `.logbook/` is found and named.

const posix = process.platform !== 'win32';
const root = posix && process.getuid?.() === 0;

function sandbox(dir: string): { workspace: string; options: (runtime?: string) => InstallOptions } {
  const workspace = join(dir, 'W');
  mkdirSync(workspace);
  const bundle = join(dir, 'hook-bundle.js');
  writeFileSync(bundle, '// hook bundle\n');
  return { workspace, options: (runtime) => ({ workspace, scope: 'local', hookBundle: bundle, ...(runtime === undefined ? {} : { runtime }) }) };
}

function victimIn(dir: string): { path: string; unchanged: () => void } {
  const path = join(dir, 'victim.sh');
  writeFileSync(path, 'echo victim\n');
  chmodSync(path, 0o644);
  return { path, unchanged: () => {
    assert.equal(readFileSync(path, 'utf8'), 'echo victim\n');
    assert.equal(statSync(path).mode & 0o777, 0o644);
  } };
}

test('install-hooks leaves in .logbook/bin/ exactly what it wrote: a committed runtime, stray files, folders and links go, linked programs are written afresh', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const { workspace, options } = sandbox(dir);
    const bin = logbookPaths(workspace).bin;
    const victim = victimIn(dir);
    mkdirSync(join(bin, 'stray-dir', 'deeper'), { recursive: true });
    writeFileSync(join(bin, 'runtime'), '/tmp/evil\n');
    writeFileSync(join(bin, 'extra.sh'), 'echo extra\n');
    symlinkSync(victim.path, join(bin, 'hook.cjs'));
    symlinkSync(victim.path, join(bin, 'logbook-hook'));
    linkSync(victim.path, join(bin, 'logbook-mcp'));
    symlinkSync(dir, join(bin, 'outside'));
    const first = installHooks(options());
    assert.deepEqual(readdirSync(bin).sort(), ['hook.cjs', 'logbook-hook'], 'only what the installer wrote');
    for (const name of ['hook.cjs', 'logbook-hook']) assert.ok(lstatSync(join(bin, name)).isFile(), `${name} is a plain file`);
    assert.match(first.messages.join('\n'), /Removed from \.logbook\/bin\/ what the installer did not write: extra\.sh, hook\.cjs \(a symbolic link\), logbook-hook \(a symbolic link\), logbook-mcp, outside \(a symbolic link\), runtime, stray-dir \(a folder\)\./);
    victim.unchanged();
    assert.ok(existsSync(join(dir, 'hook-bundle.js')), 'a linked folder is removed, not what it points at');

    // With a runtime it stays (ours); a second run changes no byte; without one it goes again.
    installHooks(options(process.execPath));
    assert.deepEqual(readdirSync(bin).sort(), ['hook.cjs', 'logbook-hook', 'runtime']);
    const again = installHooks(options(process.execPath));
    assert.equal(again.programChanged, false, 'a second run changes nothing');
    installHooks(options());
    assert.deepEqual(readdirSync(bin).sort(), ['hook.cjs', 'logbook-hook'], 'a runtime not given is removed');
  } finally {
    cleanup();
  }
});

test('a .logbook/bin that is a link or a file is replaced by a real folder; nothing is written where the link pointed', { skip: !posix }, () => {
  for (const plant of ['link', 'dangling link', 'file'] as const) {
    const { dir, cleanup } = tempDir();
    try {
      const { workspace, options } = sandbox(dir);
      const paths = logbookPaths(workspace);
      mkdirSync(paths.dir, { mode: 0o700 });
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      writeFileSync(join(elsewhere, 'runtime'), '/tmp/evil\n');
      if (plant === 'link') symlinkSync(elsewhere, paths.bin);
      else if (plant === 'dangling link') symlinkSync(join(dir, 'absent'), paths.bin);
      else writeFileSync(paths.bin, 'x');
      installHooks(options());
      assert.ok(lstatSync(paths.bin).isDirectory(), plant);
      assert.deepEqual(readdirSync(paths.bin).sort(), ['hook.cjs', 'logbook-hook'], plant);
      assert.deepEqual(readdirSync(elsewhere), ['runtime'], `${plant}: the link's target is untouched`);
      assert.ok(!existsSync(join(dir, 'absent')), `${plant}: no target created`);
    } finally {
      cleanup();
    }
  }
});

test('install-hooks refuses a .logbook/ that is a link or another user\'s, before writing anything', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const { workspace, options } = sandbox(dir);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, logbookPaths(workspace).dir);
    assert.throws(() => installHooks(options()), new RegExp(`${logbookPaths(workspace).dir} is a symbolic link to ${elsewhere}`));
    assert.deepEqual(readdirSync(elsewhere), []);
    if (root) {
      mkdirSync(join(dir, 'other-root'));
      const other = sandbox(join(dir, 'other-root'));
      mkdirSync(logbookPaths(other.workspace).dir);
      chownSync(logbookPaths(other.workspace).dir, 65534, 65534);
      assert.throws(() => installHooks(other.options()), /is owned by uid 65534, not by you \(uid 0\)/);
    }
  } finally {
    cleanup();
  }
});

// A PATH with the tools the launcher's fallback uses, but no node: the fallback runs.
function toolsWithoutNode(dir: string): string {
  const tools = join(dir, 'tools');
  mkdirSync(tools, { recursive: true });
  for (const tool of ['dirname', 'cat', 'mkdir', 'mv', 'rm', 'date']) {
    const found = (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, tool)).find((p) => existsSync(p));
    if (found === undefined) throw new Error(`${tool} not found`);
    if (!existsSync(join(tools, tool))) symlinkSync(found, join(tools, tool));
  }
  return tools;
}

test('the launcher, saving by itself or as a fallback (no node), writes through no planted link: inbox/, inbox/.tmp or the warning marker, and still exits 0 saying why', { skip: !posix }, () => {
  for (const [linked, withNode] of (['inbox', 'inboxTmp', 'marker'] as const).flatMap((l) => [[l, false], [l, true]] as const)) {
    const { dir, cleanup } = tempDir();
    try {
      const { workspace, options } = sandbox(dir);
      // With node, the real hook program (the launcher falls back to it when it cannot save).
      installHooks(withNode ? { ...options(), hookBundle: join(__dirname, '..', '..', 'dist', 'hook.js') } : options());
      const paths = logbookPaths(workspace);
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      const marker = join(paths.dir, HOOK_WARNED_MARKER);
      const target = linked === 'inbox' ? paths.inbox : linked === 'inboxTmp' ? paths.inboxTmp : marker;
      spawnSync('rm', ['-rf', target]);
      symlinkSync(linked === 'marker' ? join(elsewhere, 'created') : elsewhere, target);
      const run = spawnSync('/bin/sh', ['-c', hookCommand('Stop')], { input: '{"session_id":"s"}', env: { ...(withNode ? process.env : {}), PATH: withNode ? (process.env['PATH'] ?? '') : toolsWithoutNode(dir), CLAUDE_PROJECT_DIR: workspace }, encoding: 'utf8' });
      assert.equal(run.status, 0, `${linked}: never blocks Claude Code`);
      assert.deepEqual(readdirSync(elsewhere), [], `${linked}: nothing written through the link`);
      if (withNode) {
        // The sh path refuses the folder before reading stdin; the hook program then refuses it too, and says so.
        if (linked === 'inbox') assert.match(run.stderr, /link/, 'inbox: the hook program names the link');
        // A linked inbox/.tmp: the hook program appends to the inbox log, which needs no .tmp.
        else if (linked === 'inboxTmp') assert.ok(readdirSync(paths.inbox).some((n) => n.endsWith('.log')), 'inboxTmp: the event is saved in the log');
        // A linked marker is never touched when the event is saved.
        else assert.match(readdirSync(paths.inbox).join(' '), /-sh\d+-Stop\.rawhook/, 'marker: saved by sh');
        continue;
      }
      if (linked === 'marker') assert.match(readdirSync(paths.inbox).join(' '), /-sh\d+-Stop\.rawhook/, 'the event is saved');
      else assert.match(run.stderr, /the event was not saved: .* is a link or not your own folder, and Agent Logbook does not write through links/, linked);
    } finally {
      cleanup();
    }
  }
});

test('inspectLogbookDir names every planted kind (link, FIFO, hard link, world-writable folder, another user\'s file) and nothing in a logbook the logbook made', { skip: !posix }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { workspace, options } = sandbox(dir);
    const paths = logbookPaths(workspace);
    assert.deepEqual(inspectLogbookDir(workspace), [], 'no .logbook/ at all');
    installHooks(options(process.execPath));
    putInInbox(paths.inbox, { session_id: 's', hook_event_name: 'Stop' });
    const started = await LogbookWriter.start(paths, 'test', { maxFieldBytes: 65_536 });
    assert.ok(started.ok);
    started.writer.ingest();
    started.writer.flush();
    await started.writer.removeCommittedEntries();
    started.writer.close();
    assert.deepEqual(inspectLogbookDir(workspace), [], 'what the logbook makes is not a finding');

    const victim = victimIn(dir);
    symlinkSync(victim.path, join(paths.inbox, 'live.log'));
    linkSync(victim.path, join(paths.archive, 'hard.json'));
    spawnSync('mkfifo', [join(paths.inbox, 'x.json')]);
    mkdirSync(join(paths.state, 'open'), { recursive: true });
    chmodSync(join(paths.state, 'open'), 0o777);
    // As a checkout leaves files: a committed inbox entry; a committed workflow is the user's own and no finding.
    writeFileSync(join(paths.inbox, 'committed.json'), '{}');
    chmodSync(join(paths.inbox, 'committed.json'), 0o644);
    writeFileSync(paths.workflow, '{}');
    chmodSync(paths.workflow, 0o644);
    const expected = [
      [join(paths.inbox, 'committed.json'), 'may be read by others (mode 644), and Agent Logbook makes its files 0600: it may have come with the repository'],
      [join(paths.inbox, 'live.log'), `is a symbolic link to ${victim.path}`],
      [join(paths.inbox, 'x.json'), 'is a FIFO (named pipe)'],
      [join(paths.archive, 'hard.json'), 'has 2 hard links (another name shares its content)'],
      [join(paths.state, 'open'), 'is a folder others can write to (mode 777)'],
    ];
    if (root) {
      writeFileSync(join(paths.dir, 'theirs'), '');
      chownSync(join(paths.dir, 'theirs'), 65534, 65534);
      expected.push([join(paths.dir, 'theirs'), 'is owned by uid 65534, not by you (uid 0)']);
    }
    const findings = inspectLogbookDir(workspace);
    assert.deepEqual(findings.map((f) => [f.path, f.reason]).sort(), expected.sort());
    for (const f of findings) assert.equal(f.message, `${f.path} ${f.reason}`);
    assert.ok(inspectLogbookDir(workspace, 3).length < findings.length, 'the walk stops at its limit');
    symlinkSync(workspace, join(dir, 'W2'));
    assert.equal(inspectLogbookDir(join(dir, 'W2')).length, findings.length, 'a linked workspace is the user\'s choice, not a finding');
  } finally {
    cleanup();
  }
});
