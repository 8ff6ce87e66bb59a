import { lstatSync, mkdirSync, realpathSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { LogbookError } from '../domain/errors';
import { writeFileDurably } from '../store/durable-file';
import { checkDir, ensurePrivateDir, readSafe, UnsafePathError } from './safe-fs';

// The per-user list of workspaces that installed the hooks, so the control center (issue 15) can
// watch every one of them from any window or the CLI, not only the folders open in VS Code. One
// JSON file in the XDG state directory (`$XDG_STATE_HOME/agent-logbook/workspaces.json`, else
// `~/.local/state/…`; `LOGBOOK_STATE_DIR` names the folder itself, for tests and odd setups).
//
// It is the user's own private file: the folder 0700, the file 0600, read through a descriptor
// that refuses a link or another user's file (safe-fs.ts), written as a temp file renamed into
// place. A planted link at the registry's name is refused, never written through or replaced.
// A file that does not read (not JSON, not this shape) is reported with the file's name and what
// is wrong, and the next registration keeps it aside (`.bad-<time>`) before it starts a new one.
// Two installs at once may race (read, add, rename): each reads the file back after its rename
// and adds itself again if the other's rename replaced it.

/** The registry's file name inside its folder. */
export const REGISTRY_FILE = 'workspaces.json';
/** A registry larger than this is not one the installer wrote (each entry is a path and a time). */
const MAX_BYTES = 4 * 1024 * 1024;
const WRITE_ATTEMPTS = 3;

const entrySchema = z.object({
  path: z.string().min(1).max(4096).refine((path) => isAbsolute(path), 'must be an absolute path'),
  registeredAt: z.string().min(1).max(64),
});
const registrySchema = z.object({ version: z.literal(1), workspaces: z.array(entrySchema).max(10_000) });

type RegistryFile = z.infer<typeof registrySchema>;

/** A workspace in the registry; `missing` when its folder no longer exists (listed, never dropped silently). */
export interface RegisteredWorkspace {
  readonly path: string;
  readonly registeredAt: string;
  readonly missing?: true;
}

export interface WorkspaceList {
  readonly workspaces: RegisteredWorkspace[];
  readonly problems: string[];
}

export interface Registration {
  /** The path as registered (absolute, links resolved). */
  readonly path: string;
  /** False when it was registered already. */
  readonly added: boolean;
  /** What the user should know: a bad registry kept aside. */
  readonly notes: string[];
}

/** The registry's folder: `LOGBOOK_STATE_DIR`, else `$XDG_STATE_HOME/agent-logbook`, else `~/.local/state/agent-logbook`. */
export function registryDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['LOGBOOK_STATE_DIR'];
  if (override !== undefined && override !== '') return resolve(override);
  // The XDG spec: a relative value is invalid and is ignored.
  const xdg = env['XDG_STATE_HOME'];
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'agent-logbook');
}

export function registryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(registryDir(env), REGISTRY_FILE);
}

/** Every registered workspace, in the order registered; a registry that does not read is a problem, not a throw. */
export function listWorkspaces(env: NodeJS.ProcessEnv = process.env): WorkspaceList {
  const file = registryPath(env);
  let loaded: Loaded;
  try {
    if (!checkDir(dirname(file))) return { workspaces: [], problems: [] };
    loaded = load(file);
  } catch (error) {
    return { workspaces: [], problems: [(error as Error).message] };
  }
  if (loaded.kind === 'bad') return { workspaces: [], problems: [`${file} ${loaded.reason}: no workspace is listed from it (the next registration keeps it aside and starts a new one)`] };
  const entries = loaded.kind === 'ok' ? loaded.registry.workspaces : [];
  return { workspaces: entries.map((entry) => (isFolder(entry.path) ? { ...entry } : { ...entry, missing: true })), problems: [] };
}

/** Adds a workspace (idempotent). Throws (a LogbookError naming the file) when the registry cannot be written safely. */
export function registerWorkspace(path: string, env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): Registration {
  const target = canonical(path);
  const notes: string[] = [];
  const added = update(env, notes, (entries) => (entries.some((entry) => entry.path === target) ? undefined : [...entries, { path: target, registeredAt: now.toISOString() }]), now);
  return { path: target, added, notes };
}

/** Removes a workspace (by the path given, or the path it resolves to); false when it was not registered. */
export function forgetWorkspace(path: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const names = new Set([resolve(path), canonical(path)]);
  return update(env, [], (entries) => (entries.some((entry) => names.has(entry.path)) ? entries.filter((entry) => !names.has(entry.path)) : undefined), undefined);
}

type Loaded = { readonly kind: 'none' } | { readonly kind: 'ok'; readonly registry: RegistryFile } | { readonly kind: 'bad'; readonly reason: string };

/** The registry as it reads; a link or another user's file throws UnsafePathError. */
function load(file: string): Loaded {
  if (lstatSync(file, { throwIfNoEntry: false }) === undefined) return { kind: 'none' };
  const bytes = readSafe(file);
  if (bytes.length > MAX_BYTES) return { kind: 'bad', reason: `is ${bytes.length} bytes, more than a registry of workspaces holds (${MAX_BYTES})` };
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { kind: 'bad', reason: `is not valid JSON (${(error as Error).message})` };
  }
  const parsed = registrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
    return { kind: 'bad', reason: `is not a registry of workspaces (${where}: ${issue?.message ?? 'invalid'})` };
  }
  return { kind: 'ok', registry: parsed.data };
}

/**
 * Applies `change` to the entries (undefined: nothing to change) and writes the result, checking
 * after each write that a concurrent writer did not undo it. `badAside` set: a registry that does
 * not read is kept aside and a new one started; unset, it is an error (nothing to start over for).
 */
function update(env: NodeJS.ProcessEnv, notes: string[], change: (entries: RegistryFile['workspaces']) => RegistryFile['workspaces'] | undefined, badAside: Date | undefined): boolean {
  const file = registryPath(env);
  const dir = dirname(file);
  // The folders above ours are the user's (~/.local/state): made if missing, never chmod'ed.
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  ensurePrivateDir(dir);
  let changed = false;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
    const loaded = load(file);
    if (loaded.kind === 'bad') {
      if (badAside === undefined) throw new LogbookError('REGISTRY_MALFORMED', `${file} ${loaded.reason}: fix it or remove it`);
      const aside = `${file}.bad-${badAside.toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      notes.push(`${file} ${loaded.reason}: kept aside as ${aside}, and a new registry of workspaces was started`);
    }
    const entries = loaded.kind === 'ok' ? loaded.registry.workspaces : [];
    const next = change(entries);
    if (next === undefined) return changed;
    write(file, { version: 1, workspaces: next });
    changed = true;
  }
  return changed;
}

function write(file: string, registry: RegistryFile): void {
  // rename would replace a link planted since the read rather than write through it; refused all the same.
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() === true) throw new UnsafePathError(file, 'is a symbolic link');
  writeFileDurably(file, `${JSON.stringify(registry, null, 2)}\n`, 0o600);
}

/** The folder's absolute path with links resolved (the same workspace reached two ways is one entry). */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    return absolute;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * registerWorkspace for the hook installer: what to tell the user, never a throw. A registry that
 * cannot be written only keeps the control center from listing the workspace; the hooks record all the same.
 */
export function registerForInstall(workspace: string, env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return registerWorkspace(workspace, env).notes;
  } catch (error) {
    return [`This workspace could not be added to the control center's list of workspaces (${(error as Error).message}); the hooks record all the same.`];
  }
}
