// The reload phase of the integration tier: do the webviews come back after a window reload?
//
// It cannot run in the test window of the first phase: a window opened with an extensionTestsPath
// payload runs the in-host suites again on reload, and does not bring its editors back. So this
// phase is what a user has: a second code-server with the packaged .vsix installed (as `npm start`
// does), a plain window on the same workspace (the session the real Claude Code CLI recorded, plus
// the journal entry and the group of sessions the first phase wrote), driven only through the page.
// It opens a report on its event log with a search typed in, a state machine with a state picked,
// the journal with a text filter and the group's unified timeline; reloads the window (Developer:
// Reload Window); and checks that all four panels come back, each as it was left.
//
// The server runs with the smoke-test driver, for one thing only: `driver.whenWorkbenchRestored()`,
// so that the page is driven once the workbench has restored its parts. Until then the workbench
// may still move the focus (e.g. to the Explorer), and a quick pick that loses the focus closes.
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { login, packageVsix, startCodeServer, type CodeServer } from './code-server';
import { describePage, pickRow, runCommand, webviewFrames } from './page-tests';
import { plantedWarningProblem } from './planted-check';

export interface RestorePhaseInput {
  readonly browser: Browser;
  readonly scratch: string;
  readonly workspace: string;
  readonly sessionId: string;
  readonly screenshotDir: string;
  /** The reload server's logs are copied under here (reload/). */
  readonly artifactsDir: string;
  /** Records one TAP result. */
  add(name: string, ok: boolean, error?: string, ms?: number): void;
  log(line: string): void;
}

const SEARCH = 'missing';
const JOURNAL_TEXT = 'second line';
const WAIT_MS = 30_000;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Polls `probe` until it returns a value (not undefined) or `WAIT_MS` pass. */
async function until<T>(page: Page, what: string, probe: () => Promise<T | undefined>, last?: () => string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS / 1000} s${last === undefined ? '' : ` (${last()})`}`);
    await page.waitForTimeout(250);
  }
}

async function frameTitled(page: Page, title: string): Promise<Frame | undefined> {
  return (await webviewFrames(page, title))[0];
}

async function attr(frame: Frame, selector: string, name: string): Promise<string | undefined> {
  const found = frame.locator(selector).first();
  if ((await found.count()) === 0) return undefined;
  return (await found.getAttribute(name)) ?? undefined;
}

const PICK_ATTEMPTS = 3;

/**
 * Runs a command that asks with a quick pick (its placeholder starting with `question`), types
 * `text` and picks the row that shows it. A quick pick closes when it loses the focus; if that
 * happens before the pick, the command is run again (as a user would), at most PICK_ATTEMPTS
 * times, and what the page showed is logged each time.
 */
async function runAndPick(page: Page, title: string, question: string, text: string, log: (line: string) => void): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    try {
      await page.locator(`.quick-input-widget input[placeholder^="${question}"]`).waitFor({ state: 'visible', timeout: 15_000 });
      // Typing the text leaves its row alone, focused: Enter picks it.
      await input.fill(text, { timeout: 10_000 });
      const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: text });
      await row.first().waitFor({ state: 'visible', timeout: 10_000 });
      await pickRow(page, row.first());
      return;
    } catch (error) {
      const seen = await describePage(page);
      const first = String(error).split('\n')[0] ?? '';
      if (attempt >= PICK_ATTEMPTS) throw new Error(`${title}: nothing picked for "${text}" in ${attempt} attempts; the last: ${first}; the page: ${seen}`);
      log(`reload phase: ${title}: the pick failed (attempt ${attempt}: ${first}); the page: ${seen}`);
      if (await input.isVisible()) await page.keyboard.press('Escape');
    }
  }
}

/** A command that asks "Which session?": runs it and picks the row of `sessionId`. */
async function runForSession(page: Page, title: string, sessionId: string, log: (line: string) => void): Promise<void> {
  await runAndPick(page, title, 'Which session?', sessionId, log);
}

/** Waits until the workbench shows and has restored its parts and contributions (the smoke-test driver's own wait). */
async function whenRestored(page: Page): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
  await page.waitForFunction('typeof window.driver?.whenWorkbenchRestored === "function"', undefined, { timeout: 60_000 });
  await page.evaluate('window.driver.whenWorkbenchRestored()');
}

async function openWorkbench(page: Page, server: CodeServer, workspace: string): Promise<void> {
  await login(page, server);
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await whenRestored(page);
}

/** Keeps the reload server's own log and VS Code's logs (extension host included) with the artifacts. */
function keepLogs(server: CodeServer | undefined, dir: string, artifactsDir: string): void {
  const target = join(artifactsDir, 'reload');
  try {
    if (server !== undefined && existsSync(server.logFile)) cpSync(server.logFile, join(target, 'code-server.log'));
    const logs = join(dir, 'user-data', 'logs');
    if (existsSync(logs)) cpSync(logs, join(target, 'vscode-logs'), { recursive: true });
  } catch {
    // Artifacts only: a failed copy must not turn into a test result.
  }
}

/** What the report shows (undefined fields: not there yet). */
interface ReportSeen { readonly session?: string; readonly logTab: boolean; readonly search?: string; readonly total?: string }
interface MachineSeen { readonly selected?: string; readonly events?: string }
interface JournalSeen { readonly text?: string; readonly entries: number }
interface TimelineSeen { readonly heading?: string; readonly status?: string; readonly canvas?: string }

/** One panel: its tab title, how to read what its webview shows, and when two readings agree. */
interface PanelProbe<T> {
  readonly title: string;
  read(frame: Frame): Promise<T>;
  same(before: T, after: T): boolean;
}

function probes(sessionId: string): { report: PanelProbe<ReportSeen>; machine: PanelProbe<MachineSeen>; journal: PanelProbe<JournalSeen>; timeline: PanelProbe<TimelineSeen> } {
  const short = sessionId.slice(0, 8);
  return {
    report: {
      title: `Report ${short}`,
      read: async (frame) => ({
        session: (await frame.locator('[data-testid="report-session"]').first().textContent({ timeout: 1000 }).catch(() => null)) ?? undefined,
        logTab: await frame.locator('[data-testid="panel-log"]').first().isVisible().catch(() => false),
        search: await frame.locator('[data-testid="log-search"]').first().evaluate((n) => (n as unknown as { value?: string }).value, undefined, { timeout: 1000 }).catch(() => undefined),
        total: await attr(frame, '[data-testid="log-count"]', 'data-total').catch(() => undefined),
      }),
      same: (a, b) => b.session === sessionId && b.logTab && a.logTab && b.search === a.search && b.total !== undefined && b.total === a.total,
    },
    machine: {
      title: `State Machine ${short}`,
      read: async (frame) => ({
        selected: await attr(frame, '[data-selected="true"]', 'data-testid').catch(() => undefined),
        events: await attr(frame, '[data-testid="state-events-count"]', 'data-total').catch(() => undefined),
      }),
      same: (a, b) => b.selected !== undefined && b.selected === a.selected && b.events !== undefined && b.events === a.events,
    },
    journal: {
      title: 'Journal',
      read: async (frame) => ({
        text: await frame.locator('[data-testid="journal-filter-text"]').first().inputValue({ timeout: 1000 }).catch(() => undefined),
        entries: await frame.locator('[data-testid="journal-entry"]').count().catch(() => 0),
      }),
      same: (a, b) => b.text === a.text && b.entries > 0 && b.entries === a.entries,
    },
    timeline: {
      // The panel's title is "Timeline <group id>"; the groups suite's group is a spawn tree.
      title: `Timeline ${GROUP_KIND}:`,
      read: async (frame) => ({
        heading: (await frame.locator('.gt-title').first().textContent({ timeout: 1000 }).catch(() => null)) ?? undefined,
        status: (await frame.locator('[data-testid="group-timeline-status"]').first().textContent({ timeout: 1000 }).catch(() => null)) ?? undefined,
        canvas: await attr(frame, '[data-testid="group-timeline-canvas"]', 'width').catch(() => undefined),
      }),
      // Every member read (no "Reading…"), the same group and counts, a canvas drawn.
      same: (a, b) => b.heading !== undefined && b.heading === a.heading && b.status !== undefined && b.status === a.status && Number(b.canvas ?? 0) > 0,
    },
  };
}

/** The kind of the group the groups suite (groups.itest.ts) leaves in the workspace. */
const GROUP_KIND = 'tree';

/** Opens the unified timeline of the workspace's group (the groups suite leaves one) through the command's quick pick. */
async function openTimeline(page: Page, log: (line: string) => void): Promise<void> {
  await runAndPick(page, 'Logbook: Open Unified Timeline', 'Which group of sessions?', `${GROUP_KIND}:`, log);
}

/** Brings the panel's editor tab to the front (a hidden webview has no page: it is revived when shown). */
async function showTab(page: Page, title: string): Promise<void> {
  await page.locator('.tabs-container .tab').filter({ hasText: title }).first().click({ timeout: 15_000 });
}

/** Reads the panel until `accept` takes the reading; returns the last reading either way. */
async function readPanel<T>(page: Page, probe: PanelProbe<T>, accept: (seen: T) => boolean): Promise<{ ok: boolean; seen: T | undefined }> {
  let seen: T | undefined;
  const ok = await until(page, `the ${probe.title} panel`, async () => {
    const frame = await frameTitled(page, probe.title);
    if (frame === undefined) return undefined;
    seen = await probe.read(frame);
    return accept(seen) ? true : undefined;
  }).then(() => true, () => false);
  return { ok, seen };
}

/** Leaves the four panels in a state worth restoring; returns what each shows. */
async function arrangePanels(page: Page, sessionId: string, log: (line: string) => void): Promise<{ report: ReportSeen; machine: MachineSeen; journal: JournalSeen; timeline: TimelineSeen }> {
  const panels = probes(sessionId);
  // The timeline first: the journal stays the active editor (revived at once after the reload).
  await openTimeline(page, log);
  const timelineSeen = await readPanel(page, panels.timeline, (t) => t.heading?.includes(' sessions') === true && t.status !== undefined && !t.status.startsWith('Reading') && !t.status.startsWith('Waiting') && Number(t.canvas ?? 0) > 0);
  check(timelineSeen.ok && timelineSeen.seen !== undefined, `the unified timeline before the reload: ${JSON.stringify(timelineSeen.seen)}`);

  await runForSession(page, 'Logbook: Open Session Report', sessionId, log);
  const report = await until(page, 'the report shows the session', async () => {
    const frame = await frameTitled(page, panels.report.title);
    return frame !== undefined && (await frame.locator('[data-testid="report-session"]').count()) > 0 ? frame : undefined;
  });
  await report.locator('[data-testid="tab-log"]').first().click();
  const field = report.locator('[data-testid="log-search"] input').first();
  await field.waitFor({ state: 'attached', timeout: 15_000 });
  await field.pressSequentially(SEARCH, { delay: 15 });
  await until(page, `the log filtered by "${SEARCH}"`, async () => ((await report.locator('[data-testid="log-clear"]').count()) > 0 ? true : undefined));
  const reportSeen = await readPanel(page, panels.report, (r) => r.logTab && r.search === SEARCH && r.total !== undefined);
  check(reportSeen.ok && reportSeen.seen !== undefined, `the report before the reload: ${JSON.stringify(reportSeen.seen)}`);

  await runForSession(page, 'Logbook: Open State Machine', sessionId, log);
  const machine = await until(page, 'the state machine is drawn', async () => {
    const frame = await frameTitled(page, panels.machine.title);
    return frame !== undefined && (await frame.locator('[data-testid="state-tool_running"]').count()) > 0 ? frame : undefined;
  });
  await machine.locator('[data-testid="state-tool_running"]').first().click();
  const machineSeen = await readPanel(page, panels.machine, (m) => m.selected === 'state-tool_running' && m.events !== undefined);
  check(machineSeen.ok && machineSeen.seen !== undefined, `the state machine before the reload: ${JSON.stringify(machineSeen.seen)}`);

  await runCommand(page, 'Logbook: Open Journal');
  const journal = await until(page, 'the journal lists an entry', async () => {
    const frame = await frameTitled(page, panels.journal.title);
    return frame !== undefined && (await frame.locator('[data-testid="journal-entry"]').count()) > 0 ? frame : undefined;
  });
  await journal.locator('[data-testid="journal-filter-text"]').first().pressSequentially(JOURNAL_TEXT, { delay: 15 });
  const journalSeen = await readPanel(page, panels.journal, (j) => j.text === JOURNAL_TEXT && j.entries > 0);
  check(journalSeen.ok && journalSeen.seen !== undefined, `the journal before the reload: ${JSON.stringify(journalSeen.seen)}`);
  // Every view persists its UI state as it changes; give the last keystrokes time to land.
  await page.waitForTimeout(1000);
  return { report: reportSeen.seen, machine: machineSeen.seen, journal: journalSeen.seen, timeline: timelineSeen.seen };
}

export async function runRestorePhase(input: RestorePhaseInput): Promise<void> {
  const { browser, sessionId } = input;
  const names = {
    arrange: 'reload › a plain window with the packaged .vsix: a report on its event log with a search, a state machine with a state picked, the journal with a filter, a group\'s unified timeline',
    report: 'reload › the report comes back on its event log, with the search and its results',
    machine: 'reload › the state machine comes back with the picked state and its events',
    journal: 'reload › the journal comes back with its text filter',
    timeline: 'reload › the unified timeline comes back with its group, every member read',
    planted: 'reload › a link planted under .logbook/ is named in a warning when the window opens, not used silently',
  };
  let server: CodeServer | undefined;
  const started = Date.now();
  let before: Awaited<ReturnType<typeof arrangePanels>> | undefined;
  let page: Page | undefined;
  let plantedDone = false;
  const serverDir = join(input.scratch, 'code-server-reload');
  try {
    const vsix = packageVsix(join(input.scratch, 'agent-logbook.vsix'));
    const plantedStarted = Date.now();
    const problem = await plantedWarningProblem({ browser: input.browser, vsix, workspace: input.workspace, dir: join(input.scratch, 'code-server-planted'), screenshotDir: input.screenshotDir })
      .catch((error: unknown) => `the check could not run: ${describe(error)}`);
    input.add(names.planted, problem === undefined, problem, Date.now() - plantedStarted);
    plantedDone = true;
    server = await startCodeServer({ dir: serverDir, installExtensions: [vsix], smokeTestDriver: true });
    input.log(`reload phase: code-server with the .vsix installed on ${server.url} (${Date.now() - started} ms)`);
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    page = await context.newPage();
    await openWorkbench(page, server, input.workspace);
    before = await arrangePanels(page, sessionId, input.log);
    await page.screenshot({ path: join(input.screenshotDir, 'reload-before.png') });
    input.add(names.arrange, true, undefined, Date.now() - started);
  } catch (error) {
    const seen = page === undefined ? 'no page' : await describePage(page);
    if (page !== undefined) await page.screenshot({ path: join(input.screenshotDir, 'failed-reload-arrange.png') }).catch(() => undefined);
    input.add(names.arrange, false, `${describe(error)}\nthe page: ${seen}`, Date.now() - started);
    for (const name of [names.report, names.machine, names.journal, names.timeline]) input.add(name, false, 'not run: the panels could not be arranged before the reload');
    if (!plantedDone) input.add(names.planted, false, 'not run: the phase failed before it (see the next result)');
    await page?.context().close().catch(() => undefined);
    await server?.stop();
    keepLogs(server, serverDir, input.artifactsDir);
    return;
  }

  try {
    // VS Code's own reload (Developer: Reload Window), as a user reloads a window: it saves the
    // editors and their webview state before the page goes. A bare browser reload races the
    // workbench's last write to IndexedDB (seen here: only the first of three editors came back).
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await loaded;
    await whenRestored(page);
    const panels = probes(sessionId);
    const tabs = await until(page, 'the editor tabs are back', async () => {
      const labels = await page?.locator('.tabs-container .tab').allInnerTexts();
      return labels !== undefined && labels.length >= 4 ? labels : undefined;
    }).catch(() => [] as string[]);
    input.log(`reload phase: after the reload the editor tabs are ${JSON.stringify(tabs)}`);
    // The journal was the active editor: it is revived at once; the others when their tab is shown.
    const checks: [string, () => Promise<{ ok: boolean; seen: unknown }>, unknown][] = [
      [names.journal, () => readPanel(page as Page, panels.journal, (j) => panels.journal.same(before.journal, j)), before.journal],
      [names.report, async () => { await showTab(page as Page, panels.report.title); return readPanel(page as Page, panels.report, (r) => panels.report.same(before.report, r)); }, before.report],
      [names.machine, async () => { await showTab(page as Page, panels.machine.title); return readPanel(page as Page, panels.machine, (m) => panels.machine.same(before.machine, m)); }, before.machine],
      [names.timeline, async () => { await showTab(page as Page, panels.timeline.title); return readPanel(page as Page, panels.timeline, (t) => panels.timeline.same(before.timeline, t)); }, before.timeline],
    ];
    for (const [name, run, expected] of checks) {
      const checkStarted = Date.now();
      const { ok, seen } = await run().catch((error: unknown) => ({ ok: false, seen: describe(error) }));
      const why = ok ? undefined : `before the reload: ${JSON.stringify(expected)}\nafter it: ${JSON.stringify(seen)} (editor tabs ${JSON.stringify(tabs)})\nthe page: ${await describePage(page)}`;
      input.add(name, ok, why, Date.now() - checkStarted);
      if (name === names.report) await page.screenshot({ path: join(input.screenshotDir, 'reload-after-report.png') }).catch(() => undefined);
      if (name === names.timeline) await page.screenshot({ path: join(input.screenshotDir, 'reload-after-timeline.png') }).catch(() => undefined);
    }
  } catch (error) {
    for (const name of [names.report, names.machine, names.journal, names.timeline]) input.add(name, false, describe(error));
  } finally {
    await page.context().close().catch(() => undefined);
    await server?.stop();
    keepLogs(server, serverDir, input.artifactsDir);
    input.log(`reload phase took ${Math.round((Date.now() - started) / 1000)} s`);
  }
}
