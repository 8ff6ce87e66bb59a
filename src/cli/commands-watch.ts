import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { logbookPaths } from '../capture/paths';
import { listWorkspaces } from '../capture/registry';
import { ControlCenter } from '../control/control-center';
import type { ControlSnapshot, RaisedAlert, WorkspaceControlSettings } from '../control/control-center';
import { parseAlertSettings, DEFAULT_ALERT_SETTINGS } from '../domain/control/alert-settings';
import { liveRowText } from '../projections/control/live-row';
import { DEFAULT_PRICE_TABLE } from '../projections/pricing';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import { flagRule, optional, textRule } from './option-rules';
import { workspacePrices } from './session-filters';
import { tableLines } from './text-lines';
import { readWorkspaceSettings } from './workspace-settings';

// `logbook watch` (issue 15): the control center in a terminal, for loops nobody watches in VS
// Code. Every in-progress session of every workspace that installed the hooks on this machine
// (the registry) and of this one; each alert its rules raise is recorded in the session, printed,
// and given to --exec. It runs until interrupted; --once reads, alerts, prints and exits.

const OPTIONS = {
  once: described(flagRule, 'read once, raise what is due, print the sessions and exit'),
  json: described(flagRule, 'print JSON: with --once the sessions (and alerts) as one object; else one line per alert'),
  exec: described(optional(textRule(4000)), 'run this shell command for each alert (env LOGBOOK_ALERT_RULE, LOGBOOK_ALERT_MESSAGE, LOGBOOK_ALERT_SESSION, LOGBOOK_ALERT_WORKSPACE, LOGBOOK_ALERT_ID; the alert as JSON on stdin)', 'CMD'),
  here: described(flagRule, 'only this workspace, not every registered one'),
};

/** How long `watch` redraws a terminal's table when nothing happened (times in state move on). */
const REDRAW_MS = 5000;

export const watchCommand = defineCommand(OPTIONS, async (ctx, options) => {
  const workspaces = (): string[] => watched(ctx, options.here);
  const alerts: RaisedAlert[] = [];
  const exec = options.exec === undefined ? undefined : execQueue(ctx, options.exec);
  let last: ControlSnapshot | undefined;
  const tty = process.stdout.isTTY === true && !options.json && !options.once;
  const center = new ControlCenter({
    workspaces, settingsOf: (ws) => settingsOf(ws), source: 'cli',
    onUpdate: (snapshot) => {
      last = snapshot;
      if (tty) draw(ctx, snapshot);
    },
    onAlert: (raised) => {
      alerts.push(raised);
      if (!raised.tell) return;
      if (!options.once) ctx.io.out(options.json ? JSON.stringify({ alert: raised.alert }) : alertLine(raised));
      exec?.(raised);
    },
  });
  await center.start();
  if (options.once) {
    center.dispose();
    const snapshot = last ?? center.snapshot();
    if (options.json) ctx.io.out(JSON.stringify({ sessions: snapshot.sessions, alerts: alerts.filter((a) => a.tell).map((a) => a.alert), problems: snapshot.problems }, null, 2));
    else printOnce(ctx, snapshot, alerts);
    await exec?.drained();
    return 0;
  }
  if (!tty) ctx.io.err(`watching ${workspaces().length} workspace(s); alerts are printed as they are raised (Ctrl-C to stop)`);
  const redraw = tty ? setInterval(() => draw(ctx, center.snapshot()), REDRAW_MS) : undefined;
  // The center's watchers and timers do not keep a process alive (VS Code's must not): this does, until a signal.
  const alive = setInterval(() => undefined, 2 ** 30);
  await new Promise<void>((done) => {
    const stop = (): void => {
      clearInterval(alive);
      clearInterval(redraw);
      center.dispose();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await exec?.drained();
  return 0;
});

/** This workspace (when it has a logbook) and, unless --here, every registered one that still exists. */
function watched(ctx: CliContext, here: boolean): string[] {
  const own = existsSync(logbookPaths(ctx.workspace).dir) ? [ctx.workspace] : [];
  if (here) return own;
  const listed = listWorkspaces();
  return [...new Set([...own, ...listed.workspaces.filter((w) => w.missing !== true).map((w) => w.path)])];
}

function settingsOf(workspace: string): WorkspaceControlSettings {
  try {
    const parsed = parseAlertSettings(readWorkspaceSettings(workspace));
    return { alerts: parsed.settings, prices: workspacePrices(workspace), problems: parsed.problems.map((p) => `${workspace}: ${p}`) };
  } catch (error) {
    return { alerts: DEFAULT_ALERT_SETTINGS, prices: DEFAULT_PRICE_TABLE, problems: [`${workspace}: ${(error as Error).message}; alerts use their defaults`] };
  }
}

function rows(snapshot: ControlSnapshot): string[][] {
  return snapshot.sessions.map((s) => {
    const r = liveRowText(s, snapshot.at);
    return [r.session, r.title, r.workspace, r.branch, r.state, r.inState, r.waiting, r.cost, r.burn, r.lastTool, r.subagents, [r.held, r.journal].filter((t) => t !== '' && t !== '-').join(' · ') || '-'];
  });
}

const HEADER = ['SESSION', 'TITLE', 'WORKSPACE', 'BRANCH', 'STATE', 'IN STATE', 'WAITING', 'COST', 'BURN', 'LAST TOOL', 'SUBAGENTS', 'NOTE'];

function printOnce(ctx: CliContext, snapshot: ControlSnapshot, alerts: readonly RaisedAlert[]): void {
  for (const problem of snapshot.problems) ctx.io.err(problem);
  if (snapshot.sessions.length === 0) ctx.io.out('no session in progress');
  else for (const line of tableLines(HEADER, rows(snapshot))) ctx.io.out(line);
  for (const raised of alerts) if (raised.tell) ctx.io.out(alertLine(raised));
}

function draw(ctx: CliContext, snapshot: ControlSnapshot): void {
  const lines = snapshot.sessions.length === 0 ? ['no session in progress'] : [...tableLines(HEADER, rows(snapshot))];
  // Clear the screen and home the cursor: the table is redrawn whole.
  ctx.io.out(`\u001b[2J\u001b[H${new Date(snapshot.at).toLocaleTimeString()}  ${snapshot.sessions.length} session(s) in progress\n${lines.join('\n')}${snapshot.problems.length === 0 ? '' : `\n${snapshot.problems.join('\n')}`}`);
}

function alertLine({ alert }: RaisedAlert): string {
  return `alert ${alert.data.at} ${alert.sessionId.slice(0, 8)} (${alert.workspace}) ${alert.data.rule}: ${alert.data.message}`;
}

/** Runs --exec for each alert, one at a time, in the order raised; a failure is said, never fatal. */
function execQueue(ctx: CliContext, command: string): ((raised: RaisedAlert) => void) & { drained: () => Promise<void> } {
  let chain = Promise.resolve();
  const run = (raised: RaisedAlert): void => {
    if (!raised.tell) return;
    chain = chain.then(() => new Promise<void>((done) => {
      const { alert } = raised;
      const child = spawn('sh', ['-c', command], {
        stdio: ['pipe', 'inherit', 'inherit'],
        env: { ...process.env, LOGBOOK_ALERT_RULE: alert.data.rule, LOGBOOK_ALERT_MESSAGE: alert.data.message, LOGBOOK_ALERT_SESSION: alert.sessionId, LOGBOOK_ALERT_WORKSPACE: alert.workspace, LOGBOOK_ALERT_ID: alert.id },
      });
      child.on('error', (error) => {
        ctx.io.err(`logbook watch: --exec could not run: ${error.message}`);
        done();
      });
      child.on('close', (code) => {
        if (code !== 0) ctx.io.err(`logbook watch: --exec exited with ${code ?? 'a signal'} for alert ${alert.id}`);
        done();
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${JSON.stringify(alert)}\n`);
    }));
  };
  return Object.assign(run, { drained: () => chain });
}
