import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Imported by the hook's tiny bundle: node built-ins only, and not node:crypto, whose loading
// costs a hook about 6 ms at every start (measured against the same hook with it stubbed out).
//
// Provenance: a workspace is code someone else wrote, and a cloned repository can ship files in
// `.logbook/inbox/` that look like recorded events. Every entry this machine's hooks, CLI and MCP
// server write carries a stamp made from a per-user key kept OUTSIDE the workspace
// (`~/.config/agent-logbook/key`, 0600 in a 0700 folder); the writer ingests an entry as genuine
// only when its stamp checks out, and keeps anything else aside in the quarantine stream.
//
// Two stamps, because the hook has two writers:
// - "t1", the JS writers: a secret token derived from the key (HMAC-SHA256(key, "entry-token")),
//   in the entry's head: `{"v":1,"mac":"t1.<64 hex>",` + the rest, so removing it gives back the
//   unstamped entry. Checking it is a constant-time comparison. It proves the entry was written by
//   a process that could read this user's key; it does not bind the entry's content (that would
//   need a hash of every entry on the hook's path): an entry changed by someone who has already
//   read a stamped one (in the user's private inbox or raw segments) would pass. The token never
//   reaches the store or an export.
// - "t1" in a raw payload file (`*.rawhook`), written by the sh launcher with no Node start
//   (events that decide nothing, and every event when no JavaScript runtime is found): the same
//   token on a first line of its own, `#logbook t1.<64 hex>`, before the payload's bytes.
// - "s1", in the name of a raw payload file from launchers installed before the t1 line: it ran
//   sha256sum with two other secrets derived from the key,
//   sha256(outer + sha256hex(inner + name + "\n" + content)). Still checked; no longer written.
// The derived secrets are written into the key file when it is made (node:crypto is loaded then,
// once per user), so neither the hook nor the sh launcher ever derives anything.

/** This user's key file, read: the key and the secrets derived from it. */
export interface ProvenanceKey {
  readonly key: Buffer;
  /** The JS writers' stamp (t1). */
  readonly entryToken: string;
  readonly shInner: string;
  readonly shOuter: string;
  readonly file: string;
}

const KEY_HEADER = 'agent-logbook provenance key v2';
const ENTRY_HEAD = '{"v":1,';
/** How a stamped entry starts; the read-ahead thread checks stamps with its own copy of this logic. */
export const STAMP_HEAD = '{"v":1,"mac":"t1.';
/** `{"v":1,"mac":"t1.` + 64 hex + `",`. */
export const STAMPED_PREFIX_LENGTH = STAMP_HEAD.length + 64 + 2;
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const HEX64 = /^[0-9a-f]{64}$/;

/** Where the key lives: `LOGBOOK_KEY_FILE`, else `~/.config/agent-logbook/key`. */
export function keyFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['LOGBOOK_KEY_FILE'];
  // Not XDG_CONFIG_HOME: Snap and Flatpak builds of VS Code point it into their sandbox, while
  // Claude Code in a terminal does not, and both sides must find the same key.
  return override !== undefined && override !== '' ? override : join(homeDir(env), '.config', 'agent-logbook', 'key');
}

/** os.homedir() without loading node:os on the hook's path (measured: about 1.5 ms): $HOME is what it returns first on POSIX. */
function homeDir(env: NodeJS.ProcessEnv): string {
  const home = env['HOME'];
  if (process.platform !== 'win32' && home !== undefined && home !== '') return home;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:os') as typeof import('node:os')).homedir();
}

let cached: { readonly file: string; readonly key: ProvenanceKey | undefined; readonly problem: string | undefined } | undefined;

/**
 * This user's key, created on first use (0600, in a 0700 folder). Undefined, with the reason, when
 * it can be neither read nor made: entries are then written unstamped (and quarantined at ingest,
 * never lost).
 */
export function provenanceKey(file = keyFilePath()): { key: ProvenanceKey | undefined; problem: string | undefined } {
  if (cached?.file === file) return cached;
  let loaded: { key: ProvenanceKey | undefined; problem: string | undefined };
  try {
    loaded = { key: readKey(file) ?? createKey(file), problem: undefined };
  } catch (error) {
    loaded = { key: undefined, problem: `the provenance key ${file} could not be read or created: ${(error as Error).message}` };
  }
  cached = { file, ...loaded };
  return loaded;
}

/** Forgets the loaded key (tests that switch LOGBOOK_KEY_FILE). */
export function forgetProvenanceKey(): void {
  cached = undefined;
}

/** The entry text with its stamp; the same text when there is no key (it is then quarantined at ingest). */
export function stampEntry(text: string, key: ProvenanceKey | undefined = provenanceKey().key): string {
  if (key === undefined || !text.startsWith(ENTRY_HEAD)) return text;
  return `${STAMP_HEAD}${key.entryToken}",${text.slice(ENTRY_HEAD.length)}`;
}

/** What checking an entry's stamp found: the entry without its stamp, or why it is not genuine. */
export type Authenticated = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Checks an entry written by a JS writer (entry file or log record). */
export function authenticateEntry(text: string, key: ProvenanceKey | undefined): Authenticated {
  if (!text.startsWith(STAMP_HEAD) || text.charCodeAt(STAMPED_PREFIX_LENGTH - 2) !== 0x22 || text.charCodeAt(STAMPED_PREFIX_LENGTH - 1) !== 0x2c) {
    return { ok: false, reason: 'it carries no provenance stamp: it was written by an older version of the hook program, by a hook that could not read its key, or not by Agent Logbook on this machine' };
  }
  if (key === undefined) return { ok: false, reason: 'its provenance stamp cannot be checked: this machine has no Agent Logbook key' };
  if (!sameHex(text.slice(STAMP_HEAD.length, STAMPED_PREFIX_LENGTH - 2), key.entryToken)) {
    return { ok: false, reason: `its provenance stamp is not this user's: it was written with another key than ${key.file} (another user or machine), or forged` };
  }
  return { ok: true, text: `${ENTRY_HEAD}${text.slice(STAMPED_PREFIX_LENGTH)}` };
}

/** Whether a text carries a "t1" stamp at all (cheap; says nothing about whether it is genuine). */
export function looksStamped(text: string): boolean {
  return text.startsWith(STAMP_HEAD);
}

/** How a raw payload file (`*.rawhook`) the sh launcher stamped starts: this, 64 hex digits, a newline. */
export const RAW_STAMP_HEAD = '#logbook t1.';
const RAW_STAMPED_LENGTH = RAW_STAMP_HEAD.length + 64 + 1;

/** Whether a raw payload file carries a t1 line (cheap; says nothing about whether it is genuine). */
export function rawLooksStamped(text: string): boolean {
  return text.startsWith(RAW_STAMP_HEAD);
}

/** Checks a raw payload file's t1 line: the payload's text without it, or why it is not genuine. */
export function authenticateRawEntry(text: string, key: ProvenanceKey | undefined): Authenticated {
  if (!rawLooksStamped(text) || text.charCodeAt(RAW_STAMPED_LENGTH - 1) !== 0x0a) {
    return { ok: false, reason: 'its first line is not a whole provenance stamp (#logbook t1.<64 hex digits>)' };
  }
  if (key === undefined) return { ok: false, reason: 'its provenance stamp cannot be checked: this machine has no Agent Logbook key' };
  if (!sameHex(text.slice(RAW_STAMP_HEAD.length, RAW_STAMPED_LENGTH - 1), key.entryToken)) {
    return { ok: false, reason: `its provenance stamp is not this user's: it was written with another key than ${key.file} (another user or machine), or forged` };
  }
  return { ok: true, text: text.slice(RAW_STAMPED_LENGTH) };
}

/** The sh launcher's stamp of a raw payload file: `name` is the file name without the stamp and suffix. */
export function shStamp(key: ProvenanceKey, name: string, content: Buffer | string): string {
  const { createHash } = crypto();
  const inner = createHash('sha256').update(key.shInner).update(`${name}\n`).update(content).digest('hex');
  return createHash('sha256').update(key.shOuter).update(inner).digest('hex');
}

/** Checks the sh launcher's stamp. */
export function authenticateShStamp(key: ProvenanceKey | undefined, name: string, content: Buffer | string, claimed: string | undefined): Authenticated {
  if (claimed === undefined) return { ok: false, reason: 'it carries no provenance stamp (the sh launcher found no key file or no sha256sum, or it was not written by Agent Logbook on this machine)' };
  if (key === undefined) return { ok: false, reason: 'its provenance stamp cannot be checked: this machine has no Agent Logbook key' };
  if (!sameHex(claimed, shStamp(key, name, content))) return { ok: false, reason: 'its provenance stamp does not match: it was changed after it was written, or written with another key' };
  return { ok: true, text: typeof content === 'string' ? content : content.toString('utf8') };
}

/** Equal hex strings, compared in time that does not depend on where they differ. */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length || !HEX64.test(a)) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

// node:crypto is loaded where it is needed only: making a key, the sh launcher's stamp (the writer).
function crypto(): typeof import('node:crypto') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('node:crypto') as typeof import('node:crypto');
}

/** The key file's text: a header, the key, then the secrets derived from it (t1 token, sh inner, sh outer), a line each. */
function keyFileText(key: Buffer): string {
  const derive = (label: string): string => crypto().createHmac('sha256', key).update(label).digest('hex');
  return `${KEY_HEADER}\n${key.toString('hex')}\n${derive('entry-token')}\n${derive('sh-inner')}\n${derive('sh-outer')}\n`;
}

/**
 * Reads the key, refusing a link or another user's file (one others may read is closed); undefined
 * when there is none. The derived lines are taken as written: checking them needs node:crypto.
 */
function readKey(file: string): ProvenanceKey | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | NO_FOLLOW | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let text: string;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Error(`${file} belongs to another user (uid ${stat.uid})`);
    // Our own file, opened too wide (a copy, a restore from backup): close it again.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    const buffer = Buffer.alloc(512);
    text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
  const [header, hex, entryToken, shInner, shOuter, rest] = text.split('\n');
  if (header !== KEY_HEADER || rest !== '' || ![hex, entryToken, shInner, shOuter].every((line) => line !== undefined && HEX64.test(line))) {
    throw new Error(`${file} is not an Agent Logbook key file (or one of another version): move it away, and a new key is made`);
  }
  return { key: Buffer.from(hex as string, 'hex'), entryToken: entryToken as string, shInner: shInner as string, shOuter: shOuter as string, file };
}

/**
 * Makes a new key: written whole to a private temp file, then linked into place, which fails if
 * another process made one first (parallel hooks at a first start); that one is then used.
 */
function createKey(file: string): ProvenanceKey {
  const dir = dirname(file);
  makePrivateDirs(dir);
  const { randomBytes } = crypto();
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, 0o600);
  try {
    writeSync(fd, keyFileText(randomBytes(32)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(tmp);
  }
  const key = readKey(file);
  if (key === undefined) throw new Error(`${file} vanished as it was made`);
  return key;
}

/** Creates the key's folder and its missing parents, 0700, top down, level by level (see makeDirs in inbox-writer.ts). */
function makePrivateDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    try {
      lstatSync(at);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(at);
      if (dirname(at) === at) break;
    }
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
