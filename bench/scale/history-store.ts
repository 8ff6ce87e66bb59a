import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFileName } from '../../src/capture/inbox-writer';
import { LOG_SUFFIX } from '../../src/capture/inbox-log';
import { logbookPaths } from '../../src/capture/paths';
import { ensurePrivateDirs } from '../../src/capture/safe-fs';
import { fmtInt, msSince, progress, yieldToEventLoop } from '../stats';
import type { FixtureEvent } from '../workload';
import { HISTORY_FORMAT, historyEntryText, historyEvents } from './history-mix';
import type { HistoryEvent } from './history-mix';
import { describeFailure } from './timed-process';
import { CURRENT_SCHEMA_VERSION } from '../../src/store/schema';
import type { NodeRunner } from './timed-process';

// Workspaces holding a history of N events, built the way a year of hooks would have left them
// but in minutes: the events are written as rotated inbox logs (the hook's own record format,
// stamped by the project's entry writer, 8 MB per log as the hook rotates them), and the CLI
// (`node dist/logbook.js ingest`, what users run) ingests them chunk by chunk. Only the CLI's
// public behaviour is used, so the builder keeps working whatever the store becomes.
//
// Built histories are cached under --scale-dir, keyed by size, history format and a hash of the
// CLI bundles: a store written by another build of the CLI may not be what this one writes.

/** What a cached history holds; `failed` when the CLI could not ingest all of it. */
export interface HistoryBuild {
  readonly format: number;
  readonly events: number;
  readonly cli: string;
  readonly workspace: string;
  readonly sessions: number;
  /** A complete session from the middle of the history: the one `report` is asked for. */
  readonly reportSession: string;
  readonly meanPayloadBytes: number;
  readonly buildMs: number;
  readonly failed?: { readonly atEvents: number; readonly what: string };
}

export interface BuildInput {
  readonly root: string;
  readonly scaleDir: string;
  readonly fixture: readonly FixtureEvent[];
  readonly events: number;
  readonly runner: NodeRunner;
  /** Events per `logbook ingest` while building. */
  readonly chunk: number;
}

const SEED = 20_251;
const ROTATE_BYTES = 8 * 1024 * 1024;
const YEAR_US = 365 * 86_400e6;
/** The history ends a day before 2026-06-01, whatever day the bench runs: the same bytes every time. */
const END_US = Date.parse('2026-05-31T00:00:00Z') * 1000;

/** The cached history of `input.events` events, built first if there is none at this store schema. */
export async function historyWorkspace(input: BuildInput): Promise<HistoryBuild> {
  const cli = cliHash(input.root);
  // Keyed by the store's schema, not the CLI's bytes: a 1M history takes many minutes to build, and
  // any CLI at the same schema writes the same store from it.
  const name = `h${HISTORY_FORMAT}-${input.events}-s${CURRENT_SCHEMA_VERSION}`;
  const dir = join(input.scaleDir, name);
  const record = join(dir, 'built.json');
  if (existsSync(record)) {
    const cached = JSON.parse(readFileSync(record, 'utf8')) as HistoryBuild;
    // A failure is kept too (reaching it again can take many minutes); delete the folder to retry.
    if (cached.failed !== undefined || existsSync(cached.workspace)) {
      progress(`scale: ${fmtInt(input.events)} events: cached in ${dir}`);
      if (cached.failed === undefined) await upToDateCatalog(input, cached.workspace);
      return cached;
    }
  }
  mkdirSync(input.scaleDir, { recursive: true });
  // Histories of this size from other builds or formats, or a build cut short: gigabytes nobody will read again.
  const sameSize = new RegExp(`^h\\d+-${input.events}-[0-9a-z]+$`);
  for (const old of readdirSync(input.scaleDir)) if (sameSize.test(old)) rmSync(join(input.scaleDir, old), { recursive: true, force: true });
  const build = await buildHistory(input, join(dir, 'ws'), cli);
  writeFileSync(record, `${JSON.stringify(build, null, 2)}\n`);
  return build;
}

/**
 * A cached store keeps its events across builds of the CLI, but its session catalog belongs to
 * the summary's version: the first writer of a newer one refolds it (once, tens of seconds at 1M).
 * That is done here, on the cached copy, not inside the first timed `ingest` of every run.
 */
async function upToDateCatalog(input: BuildInput, workspace: string): Promise<void> {
  const ingest = await input.runner.run([join(input.root, 'dist', 'logbook.js'), 'ingest', '--workspace', workspace], workspace);
  if (ingest.code !== 0) throw new Error(`\`logbook ingest\` on the cached history failed: ${describeFailure(ingest)}`);
  if (ingest.ms > 5000) progress(`scale: ${fmtInt(input.events)} events: the cached store's session catalog brought to this version (${(ingest.ms / 1000).toFixed(1)} s)`);
}

async function buildHistory(input: BuildInput, workspace: string, cli: string): Promise<HistoryBuild> {
  const started = process.hrtime.bigint();
  mkdirSync(workspace, { recursive: true });
  const paths = logbookPaths(workspace);
  ensurePrivateDirs([paths.dir, paths.inbox]);
  const sessions: string[] = [];
  let payloadBytes = 0;
  let written = 0;
  let ingested = 0;
  let failed: HistoryBuild['failed'];
  const logs = new LogFiles(paths.inbox);
  const events = historyEvents(input.fixture, { seed: SEED, events: input.events, startUs: END_US - YEAR_US, spanUs: YEAR_US });
  for (const event of events) {
    const payload = JSON.stringify(event.payload);
    payloadBytes += payload.length;
    if (event.hookEvent === 'SessionStart' && event.payload['source'] === 'startup') sessions.push(String(event.payload['session_id']));
    logs.add(event, historyEntryText(event, payload));
    written += 1;
    if (written % input.chunk !== 0 && written !== input.events) continue;
    logs.flush();
    const ingest = await input.runner.run([join(input.root, 'dist', 'logbook.js'), 'ingest', '--workspace', workspace], workspace);
    progress(`scale: ${fmtInt(input.events)} events: ingested ${fmtInt(written)} (${(ingest.ms / 1000).toFixed(1)} s, peak RSS ${(ingest.peakRssBytes / 1e6).toFixed(0)} MB; ${(msSince(started) / 1000).toFixed(0)} s so far)`);
    if (ingest.code !== 0) {
      failed = { atEvents: ingested, what: `\`logbook ingest\` of events ${fmtInt(ingested + 1)}-${fmtInt(written)} failed: ${describeFailure(ingest)}` };
      break;
    }
    ingested = written;
    await yieldToEventLoop();
  }
  if (failed === undefined) failed = await checkStored(input, workspace);
  return {
    format: HISTORY_FORMAT,
    events: input.events,
    cli,
    workspace,
    sessions: sessions.length,
    reportSession: sessions[Math.floor(sessions.length / 2)] ?? '',
    meanPayloadBytes: written === 0 ? 0 : payloadBytes / written,
    buildMs: msSince(started),
    ...(failed === undefined ? {} : { failed }),
  };
}

/**
 * A history is only worth measuring if the CLI stored every event of it in its session: an
 * entry quarantined (unstamped, malformed) would make a smaller store look like a big one.
 */
async function checkStored(input: BuildInput, workspace: string): Promise<HistoryBuild['failed']> {
  const listed = await input.runner.run([join(input.root, 'dist', 'logbook.js'), 'sessions', '--json', '--workspace', workspace], workspace, { keepStdout: true });
  if (listed.code !== 0) return { atEvents: input.events, what: `\`logbook sessions --json\` after the build failed: ${describeFailure(listed)}` };
  const sessions = JSON.parse(listed.stdout) as { sessionId: string; events: number }[];
  const stored = sessions.reduce((sum, s) => sum + s.events, 0);
  // Quarantined input is not a session: what is not in a session is what the CLI set aside.
  const aside = stored === input.events ? [] : [`${fmtInt(input.events - stored)} events outside sessions (quarantined?)`];
  if (stored === input.events && aside.length === 0) return undefined;
  return { atEvents: stored, what: `the store holds ${fmtInt(stored)} of the ${fmtInt(input.events)} events in sessions${aside.length === 0 ? '' : `, and ${aside.join(', ')}`}` };
}

/** Rotated inbox logs: records of the hook's format, a new log file past the hook's rotation size. */
class LogFiles {
  private parts: Buffer[] = [];
  private bytes = 0;
  private name = '';

  constructor(private readonly inbox: string) {}

  add(event: HistoryEvent, text: string): void {
    if (this.name === '') this.name = entryFileName({ id: event.id, receivedAt: '', receivedUs: event.receivedUs }, LOG_SUFFIX);
    const record = Buffer.from(`\u001e${text}`, 'utf8');
    this.parts.push(record);
    this.bytes += record.length;
    if (this.bytes >= ROTATE_BYTES) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeFileSync(join(this.inbox, this.name), Buffer.concat(this.parts), { mode: 0o600 });
    this.parts = [];
    this.bytes = 0;
    this.name = '';
  }
}

/** Short hash of the CLI bundles: a cached store is only reused by the build that wrote it. */
export function cliHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of ['logbook.js', 'cli.js']) hash.update(readFileSync(join(root, 'dist', file)));
  return hash.digest('hex').slice(0, 10);
}
