import { closeSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowState } from '../domain/workflow/types';
import { authenticateEntry, provenanceKey, stampEntry } from './provenance';
import { sessionStateFile } from './paths';
import { readBoundedText } from './bounded-read';
import { ensurePrivateDirs, openSafe } from './safe-fs';
import { SESSION_SNAPSHOT_MAX_BYTES } from './workflow-snapshot';

// A headless loop runs for hours with no writer: every decision (a denial, a blocked stop, a
// transition through the CLI or MCP) stays in the inbox as a `.cmd.json` entry, and the hook
// would read each of them again on every tool call. The hook keeps its own fold of them instead,
// in a folder of its own (`state/hook/`): the state after every decision entry up to `through`. A later
// hook reads only the entries named after it (names start with their receive time in µs), so
// 10,000 pending decisions cost one directory listing, not 10,000 reads; hook-drain.ts keeps
// that listing short.
//
// Entry names are stamped before the entry is renamed into the inbox, so one may appear late with
// an older name: entries within MARGIN_US of `through` are read again unless `recent` lists them.
// The overlay holds only while the writer's snapshot is the one it was built on (`base`: the
// snapshot's mtime and size); a new snapshot means the writer caught up, and the overlay is
// rebuilt from the pending entries still there. It is a cache: losing it costs one full read.
// It carries the provenance token like an inbox entry, so a planted one is ignored.

export const OVERLAY_MARGIN_US = 60_000_000;

export interface HookOverlay {
  readonly v: 1;
  readonly sessionId: string;
  readonly base: string;
  /** Name of the newest decision entry folded into `state`. */
  readonly through: string;
  /** Names of folded entries within OVERLAY_MARGIN_US of `through`. */
  readonly recent: readonly string[];
  readonly state: WorkflowState;
}

/** Which pending entries are already in an overlay's state. */
export interface Folded {
  /** Names at or before this one (and not in the margin) are folded. */
  readonly cutoff: string;
  readonly names: ReadonlySet<string>;
}

/** `.logbook/state/hook/<session>.json`: a folder of the hook's own, beside the writer's snapshots. */
function overlayFile(logbookDir: string, sessionId: string): string {
  return sessionStateFile(join(logbookDir, 'state', 'hook'), sessionId);
}

/** The writer's snapshot as the overlay remembers it: changes whenever the writer writes it. */
export function snapshotSignature(logbookDir: string, sessionId: string): string {
  try {
    const stat = statSync(sessionStateFile(join(logbookDir, 'state', 'sessions'), sessionId));
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'none';
  }
}

/** The session's overlay if it was built on this snapshot and carries this user's stamp; else none. */
export function readOverlay(logbookDir: string, sessionId: string, base: string): HookOverlay | undefined {
  const read = readBoundedText(overlayFile(logbookDir, sessionId), SESSION_SNAPSHOT_MAX_BYTES, { underLogbook: true });
  if (read.kind !== 'text') return undefined;
  const checked = authenticateEntry(read.text, provenanceKey().key);
  if (!checked.ok) return undefined;
  try {
    const overlay = JSON.parse(checked.text) as Partial<HookOverlay> | null;
    if (overlay?.v !== 1 || overlay.sessionId !== sessionId || overlay.base !== base || typeof overlay.through !== 'string' || !Array.isArray(overlay.recent) || overlay.state === undefined) return undefined;
    return overlay as HookOverlay;
  } catch {
    return undefined;
  }
}

/** What an overlay says is folded already. */
export function foldedBy(overlay: HookOverlay): Folded {
  return { cutoff: marginStart(overlay.through), names: new Set(overlay.recent) };
}

/** The overlay after folding `names` (in order) on top of `previous`, ending in `state`. */
export function nextOverlay(sessionId: string, base: string, previous: HookOverlay | undefined, names: readonly string[], state: WorkflowState): HookOverlay {
  const all = [...(previous?.recent ?? []), ...names];
  const through = all.reduce((a, b) => (b > a ? b : a), previous?.through ?? '');
  const from = marginStart(through);
  return { v: 1, sessionId, base, through, recent: all.filter((n) => n >= from), state };
}

/** Writes the overlay whole (temp file, then rename); a failure only costs the next hook a full read. */
export function writeOverlay(logbookDir: string, overlay: HookOverlay): void {
  const tmpDir = join(logbookDir, 'inbox', '.tmp');
  try {
    ensurePrivateDirs([join(logbookDir, 'state'), join(logbookDir, 'state', 'hook'), join(logbookDir, 'inbox'), tmpDir]);
    const tmp = join(tmpDir, `overlay-${process.pid}-${Date.now()}.tmp`);
    const fd = openSafe(tmp, 'create-new', 0o600);
    try {
      writeSync(fd, stampEntry(`${JSON.stringify(overlay)}\n`));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, overlayFile(logbookDir, overlay.sessionId));
  } catch {
    // A cache: the next hook reads the pending entries in full.
  }
}

/** The first entry name within the margin before `through` (names start with 17 digits of µs). */
function marginStart(through: string): string {
  const us = Number(through.slice(0, 17));
  if (!Number.isFinite(us) || us <= OVERLAY_MARGIN_US) return '';
  return String(us - OVERLAY_MARGIN_US).padStart(17, '0');
}
