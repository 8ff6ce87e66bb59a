import { isAbsolute, relative, resolve } from 'node:path';
import type { SessionSummaryState } from './session-summary';

// What the agents did to each file, for the inline journal in the editor: edits (successful
// Write/Edit/MultiEdit/NotebookEdit, from summary.files) and the journal entries that refer to
// the file. Kept per session and updated only for the sessions a change names; a lookup joins
// the sessions that touched one path. Pure (node:path only): the editor side lives in src/views.

/** A journal entry as a file shows it. Every string came from an event: untrusted text. */
export interface FileNote {
  readonly sessionId: string;
  readonly workspace: string;
  readonly text: string;
  readonly tags: readonly string[];
  readonly state: string;
  readonly iteration: number;
  readonly at: number | null;
  /** The 1-based line the entry refers to, null for the whole file. */
  readonly line: number | null;
}

/** The session that touched the file most recently, with where it stands now. */
export interface FileLastSession {
  readonly sessionId: string;
  readonly workspace: string;
  readonly lifecycleState: string;
  readonly workflowState: string | null;
  /** When it last edited the file or wrote an entry about it. */
  readonly at: number | null;
}

/** Everything known about one file. */
export interface FileActivity {
  readonly path: string;
  readonly edits: number;
  readonly lastEditAt: number | null;
  readonly sessions: number;
  readonly last: FileLastSession | null;
  /** Newest first. */
  readonly notes: readonly FileNote[];
}

interface Touch {
  edits: number;
  lastEditAt: number | null;
  readonly notes: FileNote[];
}

interface Contribution {
  readonly folder: string;
  readonly workspace: string;
  /** Read at lookup time: the lens shows the session's state now. */
  summary: SessionSummaryState;
  readonly touches: Map<string, Touch>;
}

export class FileJournalIndex {
  private readonly bySession = new Map<string, Contribution>();
  private readonly byPath = new Map<string, Set<string>>();

  /** Takes a session's current summary; returns whether it touches any file (so a lens may need redrawing). */
  updateSession(folder: string, workspace: string, summary: SessionSummaryState): boolean {
    const sessionId = summary.sessionId;
    if (sessionId === null) return false;
    const key = `${folder}\u0000${sessionId}`;
    const seen = this.bySession.get(key);
    // Summaries are immutable: the same files and journal objects mean the same contribution.
    if (seen !== undefined && seen.summary.files === summary.files && seen.summary.journal === summary.journal) {
      seen.summary = summary;
      return seen.touches.size > 0;
    }
    this.removeKey(key);
    const touches = touchesOf(folder, workspace, summary);
    this.bySession.set(key, { folder, workspace, summary, touches });
    for (const path of touches.keys()) {
      let keys = this.byPath.get(path);
      if (keys === undefined) {
        keys = new Set();
        this.byPath.set(path, keys);
      }
      keys.add(key);
    }
    return touches.size > 0;
  }

  /** Forgets a workspace (its store was replaced, or the folder closed). */
  removeWorkspace(folder: string): void {
    for (const [key, contribution] of [...this.bySession]) if (contribution.folder === folder) this.removeKey(key);
  }

  /** What the agents did to a file (absolute path), or undefined when nothing. */
  lookup(path: string): FileActivity | undefined {
    const keys = this.byPath.get(fileKey(path));
    if (keys === undefined || keys.size === 0) return undefined;
    let edits = 0;
    let lastEditAt: number | null = null;
    let last: FileLastSession | null = null;
    const notes: FileNote[] = [];
    for (const key of keys) {
      const c = this.bySession.get(key);
      const touch = c?.touches.get(fileKey(path));
      if (c === undefined || touch === undefined) continue;
      edits += touch.edits;
      lastEditAt = later(lastEditAt, touch.lastEditAt);
      notes.push(...touch.notes);
      const at = later(touch.lastEditAt, touch.notes[0]?.at ?? null);
      if (last === null || (at ?? -Infinity) > (last.at ?? -Infinity)) {
        last = { sessionId: c.summary.sessionId ?? '', workspace: c.workspace, lifecycleState: c.summary.lifecycle.state, workflowState: c.summary.workflow.state.current, at };
      }
    }
    notes.sort((a, b) => (b.at ?? -Infinity) - (a.at ?? -Infinity));
    return { path: fileKey(path), edits, lastEditAt, sessions: keys.size, last, notes };
  }

  /** The 1-based lines of a file that journal entries refer to. */
  referencedLines(path: string): number[] {
    const lines = new Set<number>();
    for (const note of this.lookup(path)?.notes ?? []) if (note.line !== null) lines.add(note.line);
    return [...lines].sort((a, b) => a - b);
  }

  /** How many files are known. */
  get size(): number {
    return this.byPath.size;
  }

  private removeKey(key: string): void {
    const c = this.bySession.get(key);
    if (c === undefined) return;
    this.bySession.delete(key);
    for (const path of c.touches.keys()) {
      const keys = this.byPath.get(path);
      keys?.delete(key);
      if (keys?.size === 0) this.byPath.delete(path);
    }
  }
}

function touchesOf(folder: string, workspace: string, summary: SessionSummaryState): Map<string, Touch> {
  const touches = new Map<string, Touch>();
  const touch = (path: string): Touch => {
    const key = fileKey(resolve(folder, path));
    let t = touches.get(key);
    if (t === undefined) {
      t = { edits: 0, lastEditAt: null, notes: [] };
      touches.set(key, t);
    }
    return t;
  };
  for (const [path, file] of Object.entries(summary.files)) {
    const t = touch(path);
    t.edits += file.edits;
    t.lastEditAt = later(t.lastEditAt, file.lastEditAt);
  }
  const sessionId = summary.sessionId ?? '';
  for (const record of summary.journal) {
    for (const file of record.files) {
      touch(file.path).notes.push({
        sessionId, workspace, text: record.text, tags: record.tags, state: record.state,
        iteration: record.iteration, at: record.at, line: file.line ?? null,
      });
    }
  }
  for (const t of touches.values()) t.notes.reverse();
  return touches;
}

/** The key a path is indexed under: absolute and normalised (case-folded where the file system usually is). */
export function fileKey(path: string): string {
  const absolute = resolve(path);
  return process.platform === 'win32' || process.platform === 'darwin' ? absolute.toLowerCase() : absolute;
}

export type ResolvedFile = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly problem: string };

/**
 * A path from an event or a webview, resolved against the workspace folder and refused unless it
 * stays inside it (`..`, another absolute path, a different drive). Lexical: the caller checks
 * symbolic links against the real folder before opening.
 */
export function resolveWorkspaceFile(folder: string, path: string): ResolvedFile {
  if (path === '' || path.includes('\0')) return { ok: false, problem: 'the path is empty or contains a NUL character' };
  const root = resolve(folder);
  const absolute = resolve(root, path);
  const rel = relative(root, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep()}`) || rel.startsWith('../') || isAbsolute(rel)) {
    return { ok: false, problem: `${JSON.stringify(path.slice(0, 200))} is not inside the workspace folder ${root}` };
  }
  return { ok: true, path: absolute };
}

/** A line number from a webview or an event, clamped to the document (1-based in, 1-based out). */
export function clampLine(line: number | null | undefined, lineCount: number): number {
  const last = Math.max(1, Math.floor(lineCount));
  if (line === null || line === undefined || !Number.isFinite(line)) return 1;
  return Math.min(last, Math.max(1, Math.floor(line)));
}

function sep(): string {
  return process.platform === 'win32' ? '\\' : '/';
}

function later(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
