import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { chmodSafe, ensurePrivateDir, ensurePrivateDirs, openSafe, readSafe, UNSAFE_PATH } from '../../src/capture/safe-fs';
import type { OpenHow } from '../../src/capture/safe-fs';
import { tempDir } from './helpers';

// The primitives every file operation under .logbook/ goes through (src/capture/safe-fs.ts).

const posix = process.platform !== 'win32';
const root = posix && process.getuid?.() === 0;
const NOBODY = 65534;

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${String(made.stderr)}`);
}

/** Asserts `work` throws the safe-fs refusal, naming the path and matching `why`. */
function refused(work: () => unknown, path: string, why: RegExp): void {
  assert.throws(work, (error: Error & { code?: string }) => {
    assert.equal(error.code, UNSAFE_PATH);
    assert.ok(error.message.startsWith(`${path} `), error.message);
    assert.match(error.message, why);
    assert.match(error.message, /Agent Logbook does not read or write through links/);
    return true;
  });
}

/** Every kind of thing that can be planted where a file is expected, each with what the refusal says. */
function plantedFiles(dir: string, victim: string): { name: string; path: string; why: RegExp }[] {
  const planted = [
    { name: 'symlink to a file', path: join(dir, 'link.log'), why: new RegExp(`is a symbolic link to ${victim.replace(/[.]/g, '\\.')}`) },
    { name: 'dangling symlink', path: join(dir, 'dangling.log'), why: /is a symbolic link to .*nowhere/ },
    { name: 'FIFO', path: join(dir, 'fifo.log'), why: /is a FIFO \(named pipe\), not a regular file/ },
    { name: 'folder', path: join(dir, 'folder.log'), why: /is a folder, not a regular file/ },
    { name: 'hard link', path: join(dir, 'hard.log'), why: /has 2 hard links/ },
  ];
  symlinkSync(victim, join(dir, 'link.log'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling.log'));
  mkfifo(join(dir, 'fifo.log'));
  mkdirSync(join(dir, 'folder.log'));
  linkSync(victim, join(dir, 'hard.log'));
  return planted;
}

test('openSafe refuses a symlink, a dangling symlink, a FIFO (without hanging), a folder and a hard link, for every way of opening', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'secret\n', { mode: 0o644 });
    const hows: OpenHow[] = ['read', 'append', 'append-read', 'read-write'];
    for (const planted of plantedFiles(dir, victim)) {
      for (const how of hows) refused(() => openSafe(planted.path, how), planted.path, planted.why);
    }
    assert.equal(readFileSync(victim, 'utf8'), 'secret\n', 'nothing reached the victim');
    assert.equal(statSync(victim).mode & 0o777, 0o644);
    assert.ok(!lstatSync(join(dir, 'dangling.log')).isFile(), 'the dangling link did not create its target');
    assert.throws(() => lstatSync(join(dir, 'nowhere')), /ENOENT/);
  } finally {
    cleanup();
  }
});

test('openSafe create-new never opens through what is already there, and makes a 0600 file of the user', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'secret\n');
    for (const planted of plantedFiles(dir, victim)) assert.throws(() => openSafe(planted.path, 'create-new'), /EEXIST/, planted.name);
    assert.throws(() => lstatSync(join(dir, 'nowhere')), /ENOENT/, 'the dangling link did not create its target');
    const fd = openSafe(join(dir, 'fresh'), 'create-new');
    writeSync(fd, 'x');
    closeSync(fd);
    assert.equal(statSync(join(dir, 'fresh')).mode & 0o777, 0o600);
    assert.equal(readSafe(join(dir, 'fresh')).toString(), 'x');
  } finally {
    cleanup();
  }
});

test('a file of another user is refused for reading and writing, with its uid and yours', { skip: !root && 'needs root to chown' }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const theirs = join(dir, 'theirs.json');
    writeFileSync(theirs, '{}');
    chmodSync(theirs, 0o644);
    chownSync(theirs, NOBODY, NOBODY);
    for (const how of ['read', 'append', 'read-write'] as const) refused(() => openSafe(theirs, how), theirs, new RegExp(`is owned by uid ${NOBODY}, not by you \\(uid 0\\)`));
    refused(() => chmodSafe(theirs, 0o400), theirs, /is owned by uid/);
    assert.equal(statSync(theirs).mode & 0o777, 0o644, 'not chmodded');
    assert.equal(readFileSync(theirs, 'utf8'), '{}', 'not written');
  } finally {
    cleanup();
  }
});

test('chmodSafe changes a plain file through its descriptor and never the target of a link', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'secret\n', { mode: 0o644 });
    chmodSync(victim, 0o644);
    for (const planted of plantedFiles(dir, victim)) refused(() => chmodSafe(planted.path, 0o400), planted.path, planted.why);
    assert.equal(statSync(victim).mode & 0o777, 0o644, 'the victim kept its mode');
    const own = join(dir, 'own.log');
    writeFileSync(own, 'x', { mode: 0o600 });
    chmodSafe(own, 0o400);
    assert.equal(statSync(own).mode & 0o777, 0o400);
  } finally {
    cleanup();
  }
});

test('ensurePrivateDirs creates missing folders 0700 level by level and makes existing ones 0700', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = join(dir, 'a');
    const b = join(a, 'b');
    assert.deepEqual(ensurePrivateDirs([a, b]), [a, b]);
    for (const d of [a, b]) assert.equal(statSync(d).mode & 0o777, 0o700);
    for (const mode of [0o755, 0o750, 0o777, 0o705]) {
      chmodSync(b, mode);
      assert.deepEqual(ensurePrivateDirs([a, b]), [], 'nothing created the second time');
      assert.equal(statSync(b).mode & 0o777, 0o700, `0${mode.toString(8)} made 0700`);
    }
    assert.equal(ensurePrivateDir(join(dir, 'absent'), { create: false }), 'absent');
  } finally {
    cleanup();
  }
});

test('ensurePrivateDir refuses a symlinked folder, a file, a FIFO and a sticky shared folder, and changes none of them', { skip: !posix }, () => {
  const { dir, cleanup } = tempDir();
  try {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o755 });
    chmodSync(elsewhere, 0o755);
    const cases = [
      { path: join(dir, 'linked'), make: (p: string) => symlinkSync(elsewhere, p), why: /is a symbolic link to .*elsewhere/ },
      { path: join(dir, 'dangling'), make: (p: string) => symlinkSync(join(dir, 'nowhere'), p), why: /is a symbolic link to .*nowhere/ },
      { path: join(dir, 'file'), make: (p: string) => writeFileSync(p, ''), why: /is a regular file, not a folder/ },
      { path: join(dir, 'fifo'), make: mkfifo, why: /is a FIFO \(named pipe\), not a folder/ },
      { path: join(dir, 'sticky'), make: (p: string) => { mkdirSync(p); chmodSync(p, 0o1777); }, why: /is a shared folder \(sticky bit set/ },
    ];
    for (const c of cases) {
      c.make(c.path);
      refused(() => ensurePrivateDir(c.path), c.path, c.why);
      refused(() => ensurePrivateDirs([dir, c.path, join(c.path, 'inbox')]), c.path, c.why);
    }
    assert.equal(statSync(elsewhere).mode & 0o777, 0o755, 'the link target was not made private');
    assert.throws(() => lstatSync(join(elsewhere, 'inbox')), /ENOENT/, 'nothing was created through the link');
    assert.throws(() => lstatSync(join(dir, 'nowhere')), /ENOENT/);
    assert.equal(statSync(join(dir, 'sticky')).mode & 0o7777, 0o1777, 'a shared folder is never chmodded');
  } finally {
    cleanup();
  }
});

test('ensurePrivateDir refuses a folder of another user (the effective uid decides, even for root) and says how to fix it', { skip: !root && 'needs root to chown' }, () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const mode of [0o700, 0o755, 0o777]) {
      const theirs = join(dir, `theirs-${mode.toString(8)}`);
      mkdirSync(theirs);
      chmodSync(theirs, mode);
      chownSync(theirs, NOBODY, NOBODY);
      refused(() => ensurePrivateDir(theirs), theirs, new RegExp(`is owned by uid ${NOBODY}, not by you \\(uid 0\\).*make it yours \\(chown\\) if you trust it`));
      assert.equal(statSync(theirs).mode & 0o777, mode, 'left as it was');
    }
  } finally {
    cleanup();
  }
});
