import { join } from 'node:path';

/** Every file Agent Logbook keeps in a workspace lives under `.logbook/`. */
export interface LogbookPaths {
  readonly workspace: string;
  readonly dir: string;
  /** Write-ahead log: one file per entry, added by hooks, CLI and MCP; removed only after a durable flush. */
  readonly inbox: string;
  /** Where writers stage an entry before renaming it into the inbox (same file system, so rename is atomic). */
  readonly inboxTmp: string;
  readonly store: string;
  /** Immutable raw copy of every ingested entry, replayed by `logbook rebuild`. */
  readonly segments: string;
  /** Ingested inbox entries, moved here after the flush that holds them, until sealed into a segment. */
  readonly archive: string;
  readonly lock: string;
  /** The hook program copied into the workspace, so installed hooks survive extension upgrades. */
  readonly bin: string;
  readonly hookLauncher: string;
  readonly hookScript: string;
  /** Path of a JavaScript runtime (e.g. VS Code's own, run with ELECTRON_RUN_AS_NODE=1) for machines without `node`. */
  readonly hookRuntime: string;
  readonly workflow: string;
  /** Derived state the hook reads without sql.js: the validated workflow and per-session snapshots. */
  readonly state: string;
  readonly compiledWorkflow: string;
  readonly sessionStates: string;
}

export const LOGBOOK_DIR = '.logbook';
export const HOOK_LAUNCHER_NAME = 'logbook-hook';

export function logbookPaths(workspace: string): LogbookPaths {
  const dir = join(workspace, LOGBOOK_DIR);
  const bin = join(dir, 'bin');
  return {
    workspace,
    dir,
    inbox: join(dir, 'inbox'),
    inboxTmp: join(dir, 'inbox', '.tmp'),
    store: join(dir, 'logbook.sqlite'),
    segments: join(dir, 'segments'),
    archive: archiveDirOf(join(dir, 'segments')),
    lock: join(dir, 'ingest.lock'),
    bin,
    hookLauncher: join(bin, HOOK_LAUNCHER_NAME),
    hookScript: join(bin, 'hook.cjs'),
    hookRuntime: join(bin, 'runtime'),
    workflow: join(dir, 'workflow.json'),
    state: join(dir, 'state'),
    compiledWorkflow: join(dir, 'state', 'workflow.json'),
    sessionStates: join(dir, 'state', 'sessions'),
  };
}

/** Where the raw segments in `segmentsDir` keep the ingested entries not sealed yet. */
export function archiveDirOf(segmentsDir: string): string {
  return join(segmentsDir, 'archive');
}

/** File of a session's workflow snapshot; the id is reduced to safe characters first. */
export function sessionStateFile(sessionStatesDir: string, sessionId: string): string {
  return join(sessionStatesDir, `${sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
}
