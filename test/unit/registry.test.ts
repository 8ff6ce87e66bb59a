import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { installHooks } from '../../src/capture/installer';
import { forgetWorkspace, listWorkspaces, registerWorkspace, registryDir, registryPath } from '../../src/capture/registry';
import { isUnsafePath } from '../../src/capture/safe-fs';
import { tempDir } from './helpers';

// The per-user registry of workspaces: private, never written through a link, a bad file kept
// aside rather than overwritten, folders that are gone still listed.

const POSIX = process.platform !== 'win32';

/** A scratch state folder and two workspace folders; env points the registry at the state folder. */
function scratch(t: TestContext): { env: NodeJS.ProcessEnv; state: string; a: string; b: string } {
  const { dir, cleanup } = tempDir('logbook-registry-');
  t.after(cleanup);
  const a = join(dir, 'project-a');
  const b = join(dir, 'project-b');
  mkdirSync(a);
  mkdirSync(b);
  const state = join(dir, 'state', 'agent-logbook');
  return { env: { LOGBOOK_STATE_DIR: state }, state, a: realpathSync(a), b: realpathSync(b) };
}

test('the registry lives in the XDG state folder; LOGBOOK_STATE_DIR names the folder itself', () => {
  assert.equal(registryDir({ XDG_STATE_HOME: '/x/state' }), '/x/state/agent-logbook');
  assert.equal(registryDir({ XDG_STATE_HOME: 'relative/state' }), join(homedir(), '.local', 'state', 'agent-logbook'), 'a relative XDG path is invalid: ignored');
  assert.equal(registryDir({}), join(homedir(), '.local', 'state', 'agent-logbook'));
  assert.equal(registryPath({ LOGBOOK_STATE_DIR: '/tmp/lb-state', XDG_STATE_HOME: '/x' }), '/tmp/lb-state/workspaces.json');
});

test('registering is idempotent, private, and lists each folder once however it is reached', (t) => {
  const { env, state, a, b } = scratch(t);
  assert.deepEqual(listWorkspaces(env), { workspaces: [], problems: [] }, 'no registry yet: nothing listed, nothing wrong');
  const first = registerWorkspace(a, env, new Date('2026-12-05T10:00:00.000Z'));
  assert.deepEqual(first, { path: a, added: true, notes: [] });
  assert.equal(registerWorkspace(`${a}/./`, env).added, false, 'the same folder again');
  const link = join(a, '..', 'link-to-a');
  symlinkSync(a, link);
  assert.equal(registerWorkspace(link, env).added, false, 'a link to a registered folder is that folder');
  registerWorkspace(b, env, new Date('2026-12-05T11:00:00.000Z'));
  assert.deepEqual(listWorkspaces(env), {
    workspaces: [{ path: a, registeredAt: '2026-12-05T10:00:00.000Z' }, { path: b, registeredAt: '2026-12-05T11:00:00.000Z' }],
    problems: [],
  });
  if (POSIX) {
    assert.equal(statSync(state).mode & 0o777, 0o700);
    assert.equal(statSync(join(state, 'workspaces.json')).mode & 0o777, 0o600);
  }
  assert.deepEqual(readdirSync(state), ['workspaces.json'], 'no temp file left behind');
});

test('a folder that is gone is listed as missing, not dropped; forgetting removes it', (t) => {
  const { env, a, b } = scratch(t);
  registerWorkspace(a, env);
  registerWorkspace(b, env);
  rmSync(b, { recursive: true });
  const listed = listWorkspaces(env).workspaces;
  assert.deepEqual(listed.map((w) => [w.path, w.missing]), [[a, undefined], [b, true]]);
  assert.equal(forgetWorkspace(b, env), true, 'a folder that is gone is forgotten by its path');
  assert.equal(forgetWorkspace(b, env), false);
  assert.deepEqual(listWorkspaces(env).workspaces.map((w) => w.path), [a]);
});

test('a symbolic link planted at the registry\'s name is refused: never written through, never replaced', { skip: !POSIX && 'symbolic links need POSIX' }, (t) => {
  const { env, state, a } = scratch(t);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const victim = join(state, '..', 'victim.txt');
  writeFileSync(victim, 'do not touch\n');
  symlinkSync(victim, join(state, 'workspaces.json'));
  assert.throws(() => registerWorkspace(a, env), (error) => isUnsafePath(error) && /symbolic link/.test((error as Error).message));
  assert.equal(readFileSync(victim, 'utf8'), 'do not touch\n');
  assert.deepEqual(readdirSync(state), ['workspaces.json'], 'the link is left in place, nothing staged beside it');
  const listed = listWorkspaces(env);
  assert.deepEqual(listed.workspaces, []);
  assert.match(listed.problems[0] ?? '', /workspaces\.json is a symbolic link/);

  // The folder itself planted as a link to somewhere else.
  rmSync(state, { recursive: true });
  const elsewhere = join(state, '..', 'elsewhere');
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, state);
  assert.throws(() => registerWorkspace(a, env), (error) => isUnsafePath(error));
  assert.deepEqual(readdirSync(elsewhere), []);
  assert.match(listWorkspaces(env).problems[0] ?? '', /symbolic link/);
});

test('a malformed registry is named with what is wrong, kept aside on the next registration, and a new one started', (t) => {
  const { env, state, a, b } = scratch(t);
  registerWorkspace(a, env);
  const file = join(state, 'workspaces.json');
  writeFileSync(file, '{"version": 1, "workspaces": [');
  const broken = listWorkspaces(env);
  assert.deepEqual(broken.workspaces, []);
  assert.equal(broken.problems.length, 1);
  assert.match(broken.problems[0] ?? '', /workspaces\.json is not valid JSON/);
  assert.ok(broken.problems[0]?.includes(file), 'the problem names the file');
  assert.equal(readFileSync(file, 'utf8'), '{"version": 1, "workspaces": [', 'listing never rewrites it');

  writeFileSync(file, JSON.stringify({ version: 1, workspaces: [{ path: 'relative/path', registeredAt: 'x' }] }));
  assert.match(listWorkspaces(env).problems[0] ?? '', /workspaces\.0\.path: must be an absolute path/);

  const registered = registerWorkspace(b, env, new Date('2026-12-05T12:00:00.000Z'));
  assert.equal(registered.added, true);
  assert.match(registered.notes[0] ?? '', /kept aside as .*workspaces\.json\.bad-2026-12-05T12-00-00-000Z/);
  const aside = readdirSync(state).find((name) => name.startsWith('workspaces.json.bad-'));
  assert.ok(aside !== undefined);
  assert.match(readFileSync(join(state, aside), 'utf8'), /relative\/path/, 'the bad file is kept as it was');
  assert.deepEqual(listWorkspaces(env), { workspaces: [{ path: b, registeredAt: '2026-12-05T12:00:00.000Z' }], problems: [] });
  writeFileSync(file, 'nope');
  assert.throws(() => forgetWorkspace(b, env), /is not valid JSON \(.*\): fix it or remove it/, 'forgetting has nothing to start over for: it says so');
});

test('installing the hooks registers the workspace; a registry that cannot be written only adds a note', (t) => {
  const { env, state, a, b } = scratch(t);
  const bundle = join(a, '..', 'hook-bundle.js');
  writeFileSync(bundle, '// hook\n');
  const saved = process.env['LOGBOOK_STATE_DIR'];
  process.env['LOGBOOK_STATE_DIR'] = env['LOGBOOK_STATE_DIR'];
  t.after(() => {
    if (saved === undefined) delete process.env['LOGBOOK_STATE_DIR'];
    else process.env['LOGBOOK_STATE_DIR'] = saved;
  });
  installHooks({ workspace: a, scope: 'local', hookBundle: bundle });
  assert.deepEqual(listWorkspaces(env).workspaces.map((w) => w.path), [a]);
  if (!POSIX) return;
  // The registry's folder made unwritable (root writes anyway: a planted link then): the install
  // still succeeds, and says why the workspace is not listed.
  if (process.getuid?.() === 0) {
    writeFileSync(join(state, '..', 'target.json'), '');
    rmSync(join(state, 'workspaces.json'));
    symlinkSync(join(state, '..', 'target.json'), join(state, 'workspaces.json'));
  } else {
    chmodSync(state, 0o500);
  }
  let result: ReturnType<typeof installHooks>;
  try {
    result = installHooks({ workspace: b, scope: 'local', hookBundle: bundle });
  } finally {
    chmodSync(state, 0o700);
  }
  assert.ok(existsSync(result.settingsFile), 'the hooks are installed');
  assert.ok(result.messages.some((m) => /could not be added to the control center's list of workspaces/.test(m)), result.messages.join('\n'));
});
