import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName, entryText, uuidV7 } from '../../src/capture/inbox-writer';
import { LOG_SUFFIX } from '../../src/capture/inbox-log';
import { logbookPaths } from '../../src/capture/paths';
import type { LogbookPaths } from '../../src/capture/paths';
import { ensurePrivateDirs } from '../../src/capture/safe-fs';
import { emptyReport } from '../../src/ingest/ingestor';
import type { IngestOptions } from '../../src/ingest/ingestor';
import { LogbookWriter } from '../../src/ingest/writer';
import { LinkFold } from '../../src/projections/groups/link-fold';
import { LinkKeeper, SESSION_LINKS_NAME, SESSION_LINKS_VERSION } from '../../src/projections/groups/link-keeper';
import { CURRENT_SCHEMA_VERSION } from '../../src/store/schema';
import { collectGarbage, fmtInt, fmtMB, fmtMs, fmtRatio, median, msSince, pct, progress, textTable, yieldToEventLoop } from '../stats';
import { fixturePayload } from '../workload';
import type { FixtureEvent } from '../workload';

// Issue 16's goal: "linking runs incrementally: the cost per ingested event with linking on is
// ≤ 1.1× the cost without it", at several history sizes (how it grows with the history matters).
//
// A history of N events is built once per size (cached under --linking-dir: the store file and the
// writer's state folder), in-process with the product's LogbookWriter, linking ON as in real use,
// so the links' parts (session records, files' writers, commits, open Bash calls) are in the store.
// Then a fresh batch of events that continues the same sessions (the same generator, further on:
// the same files, commits and spawning sessions) is ingested into copies of that store, in passes
// of the writer's batch size (one inbox log of 500 entries per `writer.ingest()`, as a live
// workspace's passes are), with IngestOptions.linkSessions on and off, alternating which goes
// first; each run on its own copy of the same store. Timed: the ingest passes only (the writer's
// start and close are shown beside). Medians of the repetitions, µs per ingested event, and the
// ratio on ÷ off. One more run per size with linking on and the link keeper's methods wrapped in
// timers (not in the medians) says where linking's time goes.
//
// The workload is made for linking: ~12 sessions active at a time, Bash calls (PreToolUse and
// PostToolUse with a tool_use_id), Read / Edit / Write of files shared across sessions (popular
// files far more often: package.json, src/index.ts), sessions started from a Bash call of another
// (their LogbookOrigin event, as the hook launcher writes it, naming the parent and its
// `bash -c … eval '<command>' …` line), `git commit` outputs ("[main 1a2b3c4] msg") and later
// `git show` / `git log` outputs naming those hashes. Payload fields are the real fixture's
// (test/fixtures/full-session.hooks.jsonl), with the workload's own tools, inputs and outputs.

export const LINKING_GOAL = 1.1;
/** Bumped whenever the generated history changes: cached histories of another format are rebuilt. */
const LINKING_FORMAT = 1;
/** The writer's default batch (IngestOptions.batchSize): one pass per this many fresh events. */
const PASS_EVENTS = 500;
/** Events per pass while a history is built (one inbox log each). */
const BUILD_CHUNK = 25_000;
const MAX_FIELD_BYTES = 65_536;
const ACTIVE_SESSIONS = 12;
const MEAN_SESSION_EVENTS = 160;
const FILES = 2000;
const CWD = '/home/dev/project';
/** 2026-01-01: the history's first event; events 0.8 s apart on average. */
const START_US = Date.parse('2026-01-01T09:00:00Z') * 1000;

export interface LinkingBenchInput {
  readonly tempDir: string;
  readonly fixture: readonly FixtureEvent[];
  /** History sizes (events already in the store). */
  readonly sizes: readonly number[];
  /** Fresh events ingested per run. */
  readonly events: number;
  readonly reps: number;
  /** Where built histories are cached. */
  readonly cacheDir: string;
}

/** Where linking's time went in the instrumented run (ms, all passes). */
export interface LinkingBreakdown {
  readonly passes: number;
  readonly ingestMs: number;
  readonly prepareMs: number;
  /** LinkFold.apply over every event (part loads included). */
  readonly applyMs: number;
  /** Of which: parts read from the store (a miss in memory). */
  readonly loadMs: number;
  readonly loads: number;
  readonly loadedBytes: number;
  /** finish(): takeDirty + saveSnapshot of the dirty parts (JSON.stringify + INSERT OR REPLACE). */
  readonly finishMs: number;
  readonly savedParts: number;
  readonly savedBytes: number;
  readonly committedMs: number;
  /** Parts forgotten after a commit (more than MEMORY_PARTS in memory). */
  readonly forgets: number;
}

export interface LinkingPoint {
  readonly history: number;
  readonly events: number;
  readonly reps: number;
  readonly sessions: number;
  readonly buildMs: number | undefined;
  readonly onMs: readonly number[];
  readonly offMs: readonly number[];
  readonly onStartMs: number;
  readonly offStartMs: number;
  readonly storeBytes: number;
  /** Median per-event cost of the ingest passes, ms. */
  readonly onPerEvent: number;
  readonly offPerEvent: number;
  readonly parts: { readonly total: number; readonly bytes: number; readonly byKind: Readonly<Record<string, number>>; readonly links: number; readonly byLinkKind: Readonly<Record<string, number>> };
  readonly breakdown: LinkingBreakdown;
}

// ---------------------------------------------------------------------------------------------
// The workload.

type Payload = Record<string, unknown>;
interface Generated { readonly hookEvent: string; readonly text: string }

interface LiveSession {
  readonly id: string;
  readonly transcript: string;
  left: number;
  started: boolean;
  /** A Bash call whose PostToolUse waits (a spawn: the child runs meanwhile). */
  pendingPost: Payload | undefined;
  readonly home: number;
}

/** A deterministic generator (the same history every time for a size, whatever the run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

class LinkingWorkload {
  private readonly rnd = random(16_016);
  private readonly common: Payload;
  private readonly active: LiveSession[] = [];
  private readonly queue: Payload[] = [];
  private readonly commits: string[] = [];
  private readonly files: string[];
  private clockUs = START_US;
  private serial = 0;
  sessions = 0;

  constructor(fixture: readonly FixtureEvent[]) {
    const base = fixturePayload(fixture, 'PreToolUse', 'Bash').payload;
    // The fields every payload of the real CLI carries (the fixture's), ids and names set per event.
    this.common = Object.fromEntries(Object.entries(base).filter(([key]) => ['permission_mode', 'cwd'].includes(key)));
    this.common['cwd'] = CWD;
    const dirs = ['src', 'src/store', 'src/ingest', 'src/views', 'test/unit', 'test/e2e', 'webview', 'docs', 'scripts', 'bench'];
    this.files = Array.from({ length: FILES }, (_, i) => i < 8 ? ['package.json', 'README.md', 'src/index.ts', 'tsconfig.json', 'src/extension.ts', 'CHANGELOG.md', 'src/cli.ts', '.gitignore'][i] as string : `${dirs[i % dirs.length]}/module-${i}.ts`);
    for (let i = 0; i < ACTIVE_SESSIONS; i += 1) this.startSession(undefined);
  }

  /** The next hook entry (stamped, as the hook writes it). */
  next(): Generated {
    while (this.queue.length === 0) this.step();
    const payload = this.queue.shift() as Payload;
    this.clockUs += 200_000 + Math.floor(this.rnd() * 1_200_000);
    const hookEvent = payload['hook_event_name'] as string;
    const stamp = { id: uuidV7(Math.floor(this.clockUs / 1000)), receivedAt: new Date(Math.floor(this.clockUs / 1000)).toISOString(), receivedUs: this.clockUs };
    return { hookEvent, text: entryText(stamp, 'hook', hookEvent, JSON.stringify(payload)) };
  }

  /** The next entries' stamp (the inbox log's file name). */
  get nowUs(): number {
    return this.clockUs + 1;
  }

  private hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += Math.floor(this.rnd() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, digits);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  private startSession(parent: { session: LiveSession; command: string } | undefined): LiveSession {
    const id = this.uuid();
    const session: LiveSession = { id, transcript: `/home/dev/.claude/projects/-home-dev-project/${id}.jsonl`, left: Math.floor(MEAN_SESSION_EVENTS * (0.3 + this.rnd() * 1.4)), started: false, pendingPost: undefined, home: Math.floor(this.rnd() * FILES) };
    this.active.push(session);
    this.sessions += 1;
    if (parent !== undefined) {
      // What the hook launcher records beside the child's SessionStart: the parent session and its Bash tool's shell line.
      const quoted = parent.command.replace(/'/g, "'\\''");
      this.queue.push({
        hook_event_name: 'LogbookOrigin', session_id: id, parent_session_id: parent.session.id,
        parent_command: `/bin/bash -c source /home/dev/.claude/shell-snapshots/snapshot-bash-${this.hex(8)}.sh && shopt -u extglob 2>/dev/null || true && eval '${quoted}' \\< /dev/null && pwd -P >| /tmp/claude-${this.hex(4)}-cwd`,
        run: 'r1', project_dir: CWD,
      });
    }
    return session;
  }

  private payload(session: LiveSession, event: string, fields: Payload): Payload {
    return { session_id: session.id, transcript_path: session.transcript, ...this.common, hook_event_name: event, ...fields };
  }

  private pickFile(session: LiveSession): string {
    const r = this.rnd();
    // A session works mostly around its own part of the tree, and now and then on the popular files.
    if (r < 0.15) return this.files[Math.floor(this.rnd() ** 3 * 8)] as string;
    if (r < 0.6) return this.files[(session.home + Math.floor(this.rnd() * 20)) % FILES] as string;
    return this.files[Math.floor(this.rnd() ** 2 * FILES)] as string;
  }

  private step(): void {
    const session = this.active[Math.floor(this.rnd() * this.active.length)] as LiveSession;
    const p = (event: string, fields: Payload): void => {
      this.queue.push(this.payload(session, event, fields));
      session.left -= 1;
    };
    if (!session.started) {
      session.started = true;
      p('SessionStart', { source: 'startup', model: 'claude-sonnet-4-5' });
      return;
    }
    if (session.pendingPost !== undefined) {
      this.queue.push(session.pendingPost);
      session.pendingPost = undefined;
      session.left -= 1;
      return;
    }
    if (session.left <= 0) {
      p('Stop', { stop_hook_active: false });
      p('SessionEnd', { reason: 'exit' });
      this.active.splice(this.active.indexOf(session), 1);
      if (this.active.length < ACTIVE_SESSIONS) this.startSession(undefined);
      return;
    }
    const r = this.rnd();
    if (r < 0.08) {
      p('UserPromptSubmit', { prompt: `turn ${this.serial}: fix the failing test in ${this.pickFile(session)} and run the suite` });
      return;
    }
    if (r < 0.12) {
      p('Stop', { stop_hook_active: false });
      return;
    }
    this.serial += 1;
    const toolUseId = `toolu_01${this.hex(22)}`;
    const t = this.rnd();
    if (t < 0.38) return this.bash(session, toolUseId, p);
    const file = `${CWD}/${this.pickFile(session)}`;
    if (t < 0.62) {
      const input = { file_path: file };
      p('PreToolUse', { tool_name: 'Read', tool_input: input, tool_use_id: toolUseId });
      p('PostToolUse', { tool_name: 'Read', tool_input: input, tool_use_id: toolUseId, tool_response: { type: 'text', file: { filePath: file, content: codeLike(this.rnd, 400 + Math.floor(this.rnd() * 1600)), numLines: 40, startLine: 1, totalLines: 40 } } });
    } else if (t < 0.76) {
      const input = { file_path: file, old_string: 'return value;', new_string: 'return value ?? fallback;', replace_all: false };
      p('PreToolUse', { tool_name: 'Edit', tool_input: input, tool_use_id: toolUseId });
      p('PostToolUse', { tool_name: 'Edit', tool_input: input, tool_use_id: toolUseId, tool_response: { filePath: file, oldString: input.old_string, newString: input.new_string, structuredPatch: [] } });
    } else if (t < 0.82) {
      const input = { file_path: file, content: codeLike(this.rnd, 300 + Math.floor(this.rnd() * 1200)) };
      p('PreToolUse', { tool_name: 'Write', tool_input: input, tool_use_id: toolUseId });
      p('PostToolUse', { tool_name: 'Write', tool_input: input, tool_use_id: toolUseId, tool_response: { type: 'update', filePath: file } });
    } else {
      const tool = t < 0.92 ? 'Grep' : 'Glob';
      const input = tool === 'Grep' ? { pattern: `case${this.serial % 50}`, path: `${CWD}/src` } : { pattern: 'src/**/*.ts' };
      p('PreToolUse', { tool_name: tool, tool_input: input, tool_use_id: toolUseId });
      p('PostToolUse', { tool_name: tool, tool_input: input, tool_use_id: toolUseId, tool_response: { filenames: [file], numFiles: 1 } });
    }
  }

  private bash(session: LiveSession, toolUseId: string, p: (event: string, fields: Payload) => void): void {
    const b = this.rnd();
    let command: string;
    let stdout: string;
    if (b < 0.04 && this.active.length < ACTIVE_SESSIONS * 2) {
      // A child session started from this call: its origin arrives while the call is open.
      command = `claude -p 'review ${this.pickFile(session)} and fix what the tests report' --output-format json`;
      const input = { command, description: 'Start a reviewer session' };
      p('PreToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: toolUseId });
      session.pendingPost = this.payload(session, 'PostToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: toolUseId, tool_response: { stdout: '{"type":"result","subtype":"success","is_error":false}', stderr: '', interrupted: false, isImage: false } });
      this.startSession({ session, command });
      return;
    }
    if (b < 0.09) {
      const hash = this.hex(7);
      this.commits.push(hash);
      if (this.commits.length > 200) this.commits.shift();
      command = `git add -A && git commit -m "fix: case ${this.serial}"`;
      stdout = `[main ${hash}] fix: case ${this.serial}\n 2 files changed, 14 insertions(+), 3 deletions(-)`;
    } else if (b < 0.13 && this.commits.length > 0) {
      const hash = this.commits[Math.floor(this.rnd() * this.commits.length)] as string;
      if (this.rnd() < 0.5) {
        command = `git show --stat ${hash}`;
        stdout = `commit ${hash}${this.hex(33)}\nAuthor: Dev <dev@example.com>\n\n    fix: a case\n\n src/index.ts | 4 ++--\n 1 file changed`;
      } else {
        command = 'git log --oneline -5';
        stdout = this.commits.slice(-5).reverse().map((h) => `${h} fix: a case`).join('\n');
      }
    } else {
      command = `npm test -- --grep case${this.serial % 50}`;
      stdout = codeLike(this.rnd, 200 + Math.floor(this.rnd() * 1500));
    }
    const input = { command, description: 'Run it' };
    p('PreToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: toolUseId });
    p('PostToolUse', { tool_name: 'Bash', tool_input: input, tool_use_id: toolUseId, tool_response: { stdout, stderr: '', interrupted: false, isImage: false } });
  }
}

const WORDS = 'const value = await store.read(key); if (!value) return fallback; export function parse render update check test ok passed'.split(' ');
function codeLike(rnd: () => number, chars: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    const word = WORDS[Math.floor(rnd() * WORDS.length)] as string;
    out.push(word);
    n += word.length + 1;
    if (rnd() < 0.1) out.push('\n');
  }
  return out.join(' ');
}

/** One inbox log (the hook's record format) holding these entries, named for the first one's stamp. */
function writeInboxLog(inbox: string, entries: readonly Generated[], us: number): void {
  const name = entryFileName({ id: uuidV7(Math.floor(us / 1000)), receivedAt: '', receivedUs: us }, LOG_SUFFIX);
  writeFileSync(join(inbox, name), entries.map((e) => `\u001e${e.text}`).join(''), { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// Histories.

interface LinkingHistory {
  readonly format: number;
  readonly schema: number;
  readonly linksVersion: number;
  readonly events: number;
  readonly sessions: number;
  readonly buildMs: number;
}

const ingestOptions = (linkSessions: boolean): IngestOptions => ({ maxFieldBytes: MAX_FIELD_BYTES, linkSessions });

async function startWriter(paths: LogbookPaths, linkSessions: boolean): Promise<LogbookWriter> {
  const started = await LogbookWriter.start(paths, 'bench-linking', ingestOptions(linkSessions));
  if (!started.ok) throw new Error(`could not take the ingest lock of ${paths.workspace}`);
  return started.writer;
}

/** The cached workspace holding `events` events (built first, linking on), and the workload positioned right after them. */
async function historyOf(input: LinkingBenchInput, events: number): Promise<{ workspace: string; history: LinkingHistory; workload: LinkingWorkload; cached: boolean }> {
  const dir = join(input.cacheDir, `lk${LINKING_FORMAT}-${events}-s${CURRENT_SCHEMA_VERSION}-v${SESSION_LINKS_VERSION}`);
  const workspace = join(dir, 'ws');
  const record = join(dir, 'built.json');
  const workload = new LinkingWorkload(input.fixture);
  if (existsSync(record) && existsSync(logbookPaths(workspace).store)) {
    progress(`linking: ${fmtInt(events)} events: cached in ${dir}; generating the workload up to there`);
    for (let i = 0; i < events; i += 1) workload.next();
    // A newer catalog or links version is refolded by the first writer: here, not in a timed run.
    const writer = await startWriter(logbookPaths(workspace), true);
    writer.ingest();
    writer.close();
    return { workspace, history: JSON.parse(readFileSync(record, 'utf8')) as LinkingHistory, workload, cached: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(workspace, { recursive: true });
  const paths = logbookPaths(workspace);
  ensurePrivateDirs([paths.dir, paths.inbox]);
  const started = process.hrtime.bigint();
  const writer = await startWriter(paths, true);
  try {
    for (let done = 0; done < events;) {
      const count = Math.min(BUILD_CHUNK, events - done);
      const us = workload.nowUs;
      const entries: Generated[] = [];
      for (let i = 0; i < count; i += 1) entries.push(workload.next());
      writeInboxLog(paths.inbox, entries, us);
      const report = writer.ingest();
      if (report.appended !== count || report.quarantined !== 0) throw new Error(`building the history: a pass appended ${report.appended} of ${count} (${report.quarantined} quarantined)`);
      await writer.removeCommittedEntries();
      done += count;
      if (done % 100_000 === 0 || done === events) progress(`linking: ${fmtInt(events)} events: built ${fmtInt(done)} (${(msSince(started) / 1000).toFixed(0)} s)`);
      await yieldToEventLoop();
    }
  } finally {
    writer.close();
  }
  // The archived inbox logs duplicate the history: not needed by the copies.
  rmSync(paths.segments, { recursive: true, force: true });
  const history: LinkingHistory = { format: LINKING_FORMAT, schema: CURRENT_SCHEMA_VERSION, linksVersion: SESSION_LINKS_VERSION, events, sessions: workload.sessions, buildMs: msSince(started) };
  writeFileSync(record, `${JSON.stringify(history, null, 2)}\n`);
  return { workspace, history, workload, cached: false };
}

/** A fresh workspace holding a copy of the history's store and state (the usage backfill marker among it). */
function copyWorkspace(from: string, to: string): LogbookPaths {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const source = logbookPaths(from);
  const paths = logbookPaths(to);
  ensurePrivateDirs([paths.dir, paths.inbox]);
  copyFileSync(source.store, paths.store);
  if (existsSync(source.state)) cpSync(source.state, paths.state, { recursive: true });
  return paths;
}

// ---------------------------------------------------------------------------------------------
// Runs.

interface RunResult {
  readonly startMs: number;
  readonly ingestMs: number;
  readonly passes: number;
  readonly storeBytes: number;
}

/** The fresh batch into a copy of the history, pass by pass; only the passes are summed. */
async function ingestRun(paths: LogbookPaths, batch: readonly Generated[][], stamps: readonly number[], linkSessions: boolean): Promise<RunResult> {
  spawnSync('sync');
  await new Promise((resolve) => setTimeout(resolve, 300));
  collectGarbage();
  const t0 = process.hrtime.bigint();
  const writer = await startWriter(paths, linkSessions);
  const startMs = msSince(t0);
  let ingestMs = 0;
  let appended = 0;
  try {
    for (let p = 0; p < batch.length; p += 1) {
      writeInboxLog(paths.inbox, batch[p] as Generated[], stamps[p] as number);
      const report = emptyReport();
      const t = process.hrtime.bigint();
      writer.ingest(report);
      ingestMs += msSince(t);
      if (report.quarantined !== 0) throw new Error(`${report.quarantined} entries quarantined`);
      appended += report.appended;
      // Off the critical path in the product too (after the commit, debounced).
      await writer.removeCommittedEntries();
    }
    const expected = batch.reduce((sum, b) => sum + b.length, 0);
    if (appended !== expected) throw new Error(`appended ${appended} of ${expected} fresh events`);
    if (writer.catalogProblem !== undefined) throw new Error(writer.catalogProblem);
    return { startMs, ingestMs, passes: batch.length, storeBytes: writer.database.byteSize() };
  } finally {
    writer.close();
  }
}

/** The link parts a store holds: how many, their size, by kind, and the links in the session records. */
function countParts(writer: LogbookWriter): LinkingPoint['parts'] {
  const db = writer.database.raw;
  const byKind: Record<string, number> = {};
  const byLinkKind: Record<string, number> = {};
  let total = 0;
  let bytes = 0;
  let links = 0;
  const select = db.prepare('SELECT key, state FROM projection_snapshot_parts WHERE name = ?');
  try {
    select.bind([SESSION_LINKS_NAME]);
    while (select.step()) {
      const [key, state] = select.get() as [string, string];
      total += 1;
      bytes += state.length;
      const kind = key.slice(0, 1);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
      // Spawns sit in the session records; every other link is an "l:" part of its own.
      const found = kind === 's' ? ((JSON.parse(state) as { links?: { kind: string }[] }).links ?? []) : kind === 'l' ? [JSON.parse(state) as { kind: string }] : [];
      for (const link of found) {
        links += 1;
        byLinkKind[link.kind] = (byLinkKind[link.kind] ?? 0) + 1;
      }
    }
  } finally {
    select.free();
  }
  return { total, bytes, byKind, links, byLinkKind };
}

/** Wraps the link keeper's and fold's methods in timers for one run (restored after). */
function instrument(): { take(): Omit<LinkingBreakdown, 'passes' | 'ingestMs'>; restore(): void } {
  const keeper = LinkKeeper.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const fold = LinkFold.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals: [Record<string, (...args: unknown[]) => unknown>, string, (...args: unknown[]) => unknown][] = [];
  const totals = { prepareMs: 0, applyMs: 0, loadMs: 0, loads: 0, loadedBytes: 0, finishMs: 0, savedParts: 0, savedBytes: 0, committedMs: 0, forgets: 0 };
  const wrap = (target: Record<string, (...args: unknown[]) => unknown>, name: string, around: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void => {
    const original = target[name] as (...args: unknown[]) => unknown;
    originals.push([target, name, original]);
    target[name] = around(original);
  };
  const timed = (key: 'prepareMs' | 'applyMs' | 'finishMs' | 'committedMs') => (original: (...args: unknown[]) => unknown) => function (this: unknown, ...args: unknown[]): unknown {
    const t = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      totals[key] += performance.now() - t;
    }
  };
  wrap(keeper, 'prepare', timed('prepareMs'));
  wrap(keeper, 'finish', timed('finishMs'));
  wrap(keeper, 'committed', timed('committedMs'));
  wrap(fold, 'apply', timed('applyMs'));
  wrap(fold, 'get', (original) => function (this: { parts: Map<string, unknown> }, ...args: unknown[]): unknown {
    if (this.parts.has(args[0] as string)) return original.apply(this, args);
    const t = performance.now();
    const value = original.apply(this, args);
    totals.loadMs += performance.now() - t;
    totals.loads += 1;
    if (value !== undefined) totals.loadedBytes += JSON.stringify(value).length;
    return value;
  });
  wrap(fold, 'takeDirty', (original) => function (this: unknown, ...args: unknown[]): unknown {
    const out = original.apply(this, args) as Array<[string, unknown]>;
    totals.savedParts += out.length;
    // Measured outside the finish timer's share? No: it is inside finish; subtracted below.
    const t = performance.now();
    for (const [, state] of out) totals.savedBytes += JSON.stringify(state).length;
    totals.finishMs -= performance.now() - t;
    return out;
  });
  wrap(fold, 'forget', (original) => function (this: { parts: Map<string, unknown> }, ...args: unknown[]): unknown {
    if (this.parts.size > 0) totals.forgets += 1;
    return original.apply(this, args);
  });
  return {
    take: () => ({ ...totals }),
    restore: () => {
      for (const [target, name, original] of originals.reverse()) target[name] = original;
    },
  };
}

export async function benchLinking(input: LinkingBenchInput): Promise<LinkingPoint[]> {
  const points: LinkingPoint[] = [];
  const runDir = join(input.tempDir, 'linking');
  mkdirSync(input.cacheDir, { recursive: true });
  for (const size of input.sizes) {
    progress(`linking: history of ${fmtInt(size)} events (cache ${input.cacheDir})`);
    const { workspace, history, workload, cached } = await historyOf(input, size);
    // The fresh batch, the same for every run: it continues the history's sessions, files and commits.
    const batch: Generated[][] = [];
    const stamps: number[] = [];
    for (let done = 0; done < input.events; done += PASS_EVENTS) {
      stamps.push(workload.nowUs);
      const pass: Generated[] = [];
      for (let i = 0; i < Math.min(PASS_EVENTS, input.events - done); i += 1) pass.push(workload.next());
      batch.push(pass);
    }
    const on: RunResult[] = [];
    const off: RunResult[] = [];
    // One untimed run of each first (JIT, sql.js's memory grown to what the store needs).
    for (const linkSessions of [true, false]) await ingestRun(copyWorkspace(workspace, join(runDir, 'warm')), batch.slice(0, 4), stamps, linkSessions);
    for (let rep = 0; rep < input.reps; rep += 1) {
      const order = rep % 2 === 0 ? [true, false] : [false, true];
      for (const linkSessions of order) {
        const paths = copyWorkspace(workspace, join(runDir, 'run'));
        const result = await ingestRun(paths, batch, stamps, linkSessions);
        (linkSessions ? on : off).push(result);
        progress(`linking: ${fmtInt(size)}: rep ${rep + 1}/${input.reps}, linking ${linkSessions ? 'on ' : 'off'}: ${fmtMs(result.ingestMs)} for ${fmtInt(input.events)} events (${(result.ingestMs * 1000 / input.events).toFixed(1)} µs/event)`);
      }
    }
    // The instrumented run (linking on, the keeper's steps timed), and the parts it leaves.
    progress(`linking: ${fmtInt(size)}: instrumented run (where linking's time goes)`);
    const paths = copyWorkspace(workspace, join(runDir, 'run'));
    const meter = instrument();
    let profiled: RunResult;
    let taken: ReturnType<typeof meter.take>;
    try {
      profiled = await ingestRun(paths, batch, stamps, true);
      taken = meter.take();
    } finally {
      meter.restore();
    }
    const counter = await startWriter(paths, true);
    let parts: LinkingPoint['parts'];
    try {
      parts = countParts(counter);
    } finally {
      counter.close();
    }
    rmSync(runDir, { recursive: true, force: true });
    const perEvent = (runs: readonly RunResult[]): number => median(runs.map((r) => r.ingestMs)) / input.events;
    points.push({
      history: size, events: input.events, reps: input.reps, sessions: history.sessions, buildMs: cached ? undefined : history.buildMs,
      onMs: on.map((r) => r.ingestMs), offMs: off.map((r) => r.ingestMs),
      onStartMs: median(on.map((r) => r.startMs)), offStartMs: median(off.map((r) => r.startMs)),
      storeBytes: profiled.storeBytes, onPerEvent: perEvent(on), offPerEvent: perEvent(off), parts,
      breakdown: { passes: profiled.passes, ingestMs: profiled.ingestMs, ...taken },
    });
    await yieldToEventLoop();
  }
  return points;
}

// ---------------------------------------------------------------------------------------------
// Report.

const us = (ms: number): string => `${(ms * 1000).toFixed(1)} µs`;

export function printLinking(points: readonly LinkingPoint[]): void {
  if (points.length === 0) return;
  const first = points[0] as LinkingPoint;
  console.log(`\n## Linking between sessions: cost per ingested event, linking on ÷ off (goal ≤ ${LINKING_GOAL}×)\n`);
  console.log(`${fmtInt(first.events)} fresh events per run into a copy of a history built with linking on, in passes of ${PASS_EVENTS} (one writer.ingest() each; its start and close not counted), ${first.reps} runs each way alternating, medians.\n`);
  console.log(textTable(
    ['History', 'Sessions', 'Store', 'On µs/event', 'Off µs/event', 'On ÷ off', 'Runs on (ms)', 'Runs off (ms)', 'Start on / off'],
    points.map((p) => [fmtInt(p.history), fmtInt(p.sessions), fmtMB(p.storeBytes), us(p.onPerEvent), us(p.offPerEvent), `${fmtRatio(p.onPerEvent / p.offPerEvent)} ${p.onPerEvent / p.offPerEvent <= LINKING_GOAL ? '✓' : '✗'}`,
      p.onMs.map((ms) => Math.round(ms)).join(' '), p.offMs.map((ms) => Math.round(ms)).join(' '), `${fmtMs(p.onStartMs)} / ${fmtMs(p.offStartMs)}`]),
    new Set([0, 1, 2, 3, 4, 5]),
  ));
  console.log('\nLink parts after the run (s: session records, f: files\' writers, c: commits, b: open Bash calls, t: tasks) and the links they hold:\n');
  console.log(textTable(
    ['History', 'Parts', 'Part bytes', 's', 'l', 'f', 'c', 'b', 'Links', 'spawn', 'handoff-file', 'handoff-commit'],
    points.map((p) => [fmtInt(p.history), fmtInt(p.parts.total), fmtMB(p.parts.bytes), ...['s', 'l', 'f', 'c', 'b'].map((k) => fmtInt(p.parts.byKind[k] ?? 0)), fmtInt(p.parts.links),
      ...['spawn', 'handoff-file', 'handoff-commit'].map((k) => fmtInt(p.parts.byLinkKind[k] ?? 0))]),
    new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  ));
  console.log('\nWhere linking\'s time goes (one more run with linking on, the keeper\'s steps timed; all passes; the timers add a little):\n');
  console.log(textTable(
    ['History', 'Ingest', 'Linking', 'apply', 'of which part loads', 'finish (save dirty)', 'prepare', 'committed', 'Loads', 'Loaded', 'Saved parts', 'Saved', 'Forgets'],
    points.map((p) => {
      const b = p.breakdown;
      const linking = b.prepareMs + b.applyMs + b.finishMs + b.committedMs;
      return [fmtInt(p.history), fmtMs(b.ingestMs), `${fmtMs(linking)} (${pct(linking, b.ingestMs)})`, fmtMs(b.applyMs), fmtMs(b.loadMs), fmtMs(b.finishMs), fmtMs(b.prepareMs), fmtMs(b.committedMs),
        fmtInt(b.loads), fmtMB(b.loadedBytes), fmtInt(b.savedParts), fmtMB(b.savedBytes), fmtInt(b.forgets)];
    }),
    new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  ));
  const built = points.filter((p) => p.buildMs !== undefined);
  if (built.length > 0) console.log(`\nHistories built this run: ${built.map((p) => `${fmtInt(p.history)} in ${((p.buildMs as number) / 1000).toFixed(0)} s`).join(', ')}.`);
}

export function linkingSummaryRows(points: readonly LinkingPoint[]): string[][] {
  return points.map((p) => {
    const ratio = p.onPerEvent / p.offPerEvent;
    return [`Ingest per event with linking between sessions on, ${fmtInt(p.history)}-event history (${fmtInt(p.events)} fresh events, passes of ${PASS_EVENTS})`, us(p.onPerEvent), `${us(p.offPerEvent)} linking off`, fmtRatio(ratio), `≤ ${LINKING_GOAL}× ${ratio <= LINKING_GOAL ? '✓' : '✗'}`];
  });
}

