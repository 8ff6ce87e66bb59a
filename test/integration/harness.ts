// The in-host test harness of the integration tier: suites run INSIDE the extension host of a real
// VS Code (code-server, see test/integration/run.ts), next to the extension under test.
//
// How to write a suite: add test/integration/<name>.itest.ts; scripts/build-itests.mjs bundles
// every *.itest.ts with this harness into dist-itest/suite.js (`vscode` external; import the
// project's own code from src/ freely). Tests run in file order, then registration order.
//
//   import assert from 'node:assert/strict';
//   import * as vscode from 'vscode';
//   import { suite, test, before, after, itestContext, screenshot, pageStep } from './harness';
//
//   suite('sessions view', () => {
//     before(async () => { ... });                       // once, before the suite's first test
//     test('shows the recorded session', async () => {  // throws = fails; default timeout 30 s
//       const { workspace, sessionId } = itestContext();
//       await vscode.commands.executeCommand('logbook.refreshSessions');
//       await screenshot('sessions-view');                // → test-results/screenshots/sessions-view.png
//       await pageStep('clickSidebarRow', { label: 'Today' });           // expand the day
//       const rows = await pageStep<string[]>('sidebarRows', { view: 'Sessions' });
//       assert.ok(rows.some((row) => row.includes(sessionId)));
//       await vscode.commands.executeCommand('logbook.openStateMachine', sessionId);
//       const text = await pageStep<string>('webviewText', { title: 'State', contains: 'model working' });
//     }, { timeoutMs: 60_000 });
//     after(async () => { ... });                        // once, after the suite's last test
//   });
//
// API:
//   suite(name, body)                 groups tests; `body` runs at load time and only registers.
//   test(name, fn, { timeoutMs? })    one test; its TAP name is "<suite> › <name>".
//   before(fn) / after(fn)            inside a suite body; a failing `before` fails the suite's tests.
//   itestContext()                    what the runner prepared (ItestContext below): the workspace
//                                     VS Code has open, the recorded session id, the repo root.
//   screenshot(name)                  the runner (which holds the browser page) saves
//                                     test-results/screenshots/<name>.png; resolves with its path.
//   pageStep<T>(name, arg?)           the runner runs `steps[name](page, arg, context)` from
//                                     test/integration/page-tests.ts with the playwright page and
//                                     resolves with its JSON result; a step that throws rejects
//                                     here. Steps today: webviewText {title?, contains?},
//                                     webviewQuery {title?, selector} → textContent[],
//                                     clickInWebview {title?, selector?, text?}, webviewSelect {title?, selector, value}, sidebarRows {view?},
//                                     clickSidebarRow {label}, clickSidebarRowAction {label, action}, runCommand {title} (command palette),
//                                     notificationToasts {contains?} → the toasts' messages.
//                                     `title` matches a webview page's <title>. Add more there.
//   run()                             the extensionTestsPath entry point (the bundle exports it).
// Tests that need only the page (no in-host code) go in page-tests.ts `tests`: the runner runs
// them after the in-host suites, while this window and the extension are still up.
//
// Wire protocol (the runner's side is in run.ts): every message is one console.log line
// "@@itest <json>" (HarnessMessage), which the workbench hands to the runner through
// codeAutomationLog. A request (screenshot, page step) is answered by the runner writing
// <requestDir>/<id>.json (RunnerReply), which the harness polls for. No vscode import here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the runner prepared, read from the JSON file named by $LOGBOOK_ITEST_CONTEXT. */
export interface ItestContext {
  /** The folder VS Code has open: hooks installed, one recorded session ingested. */
  readonly workspace: string;
  /** The session the real Claude Code CLI recorded there. */
  readonly sessionId: string;
  /** The extension under development (the repository root). */
  readonly repoRoot: string;
  /** Where the runner answers requests. */
  readonly requestDir: string;
  readonly screenshotDir: string;
}

export type RequestOp = 'screenshot' | 'pageStep' | 'pageTests';

/** A line the harness prints for the runner. */
export type HarnessMessage =
  | { readonly kind: 'plan'; readonly names: readonly string[] }
  | { readonly kind: 'result'; readonly name: string; readonly ok: boolean; readonly ms: number; readonly error?: string }
  | { readonly kind: 'request'; readonly id: string; readonly op: RequestOp; readonly name: string; readonly arg?: unknown }
  | { readonly kind: 'done'; readonly pass: number; readonly fail: number };

/** The runner's answer to a request. */
export type RunnerReply = { readonly ok: true; readonly result?: unknown } | { readonly ok: false; readonly error: string };

export const MESSAGE_PREFIX = '@@itest ';
export const CONTEXT_ENV = 'LOGBOOK_ITEST_CONTEXT';
const DEFAULT_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** The page-tests phase may run many page tests: give it its own, longer bound. */
const PAGE_TESTS_TIMEOUT_MS = 10 * 60_000;

type Body = () => void | Promise<void>;

interface TestCase {
  readonly name: string;
  readonly fn: Body;
  readonly timeoutMs: number;
}

interface Suite {
  readonly name: string;
  readonly tests: TestCase[];
  readonly before: Body[];
  readonly after: Body[];
}

const suites: Suite[] = [];
let current: Suite | undefined;
let requestCounter = 0;
let cachedContext: ItestContext | undefined;

function emit(message: HarnessMessage): void {
  console.log(`${MESSAGE_PREFIX}${JSON.stringify(message)}`);
}

function requireSuite(what: string): Suite {
  if (current === undefined) throw new Error(`${what} must be called inside a suite() body`);
  return current;
}

export function suite(name: string, body: () => void): void {
  if (current !== undefined) throw new Error(`suite("${name}") inside suite("${current.name}"): suites do not nest`);
  const created: Suite = { name, tests: [], before: [], after: [] };
  current = created;
  try {
    body();
  } finally {
    current = undefined;
  }
  suites.push(created);
}

export function test(name: string, fn: Body, options: { readonly timeoutMs?: number } = {}): void {
  requireSuite(`test("${name}")`).tests.push({ name, fn, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
}

export function before(fn: Body): void {
  requireSuite('before()').before.push(fn);
}

export function after(fn: Body): void {
  requireSuite('after()').after.push(fn);
}

/** Polls `probe` every 200 ms until it gives a value; fails naming `what` after `limitMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function itestContext(): ItestContext {
  if (cachedContext !== undefined) return cachedContext;
  const file = process.env[CONTEXT_ENV];
  if (file === undefined || !existsSync(file)) throw new Error(`$${CONTEXT_ENV} does not name the runner's context file (got ${String(file)})`);
  cachedContext = JSON.parse(readFileSync(file, 'utf8')) as ItestContext;
  return cachedContext;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends a request to the runner and waits for its reply file. */
async function ask(op: RequestOp, name: string, arg: unknown, timeoutMs: number): Promise<unknown> {
  const { requestDir } = itestContext();
  requestCounter += 1;
  const id = `${process.pid}-${requestCounter}`;
  const replyFile = join(requestDir, `${id}.json`);
  emit({ kind: 'request', id, op, name, ...(arg === undefined ? {} : { arg }) });
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(replyFile)) {
    if (Date.now() > deadline) throw new Error(`the runner did not answer ${op} "${name}" within ${timeoutMs} ms`);
    await sleep(50);
  }
  const reply = JSON.parse(readFileSync(replyFile, 'utf8')) as RunnerReply;
  if (!reply.ok) throw new Error(`${op} "${name}": ${reply.error}`);
  return reply.result;
}

/** Saves test-results/screenshots/<name>.png of the whole workbench; resolves with the file's path. */
export async function screenshot(name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name "${name}": use letters, digits, '.', '-', '_'`);
  return (await ask('screenshot', name, undefined, REQUEST_TIMEOUT_MS)) as string;
}

/** Runs `steps[name]` of page-tests.ts in the runner with the playwright page; resolves with its result. */
export async function pageStep<T = unknown>(name: string, arg?: unknown, options: { readonly timeoutMs?: number } = {}): Promise<T> {
  return (await ask('pageStep', name, arg, options.timeoutMs ?? REQUEST_TIMEOUT_MS)) as T;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

async function withTimeout(fn: Body, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(fn), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function runSuite(suite: Suite, count: { pass: number; fail: number }): Promise<void> {
  let setupError: string | undefined;
  for (const hook of suite.before) {
    try {
      await withTimeout(hook, DEFAULT_TIMEOUT_MS * 2, `before() of "${suite.name}"`);
    } catch (error) {
      setupError = `before() failed: ${describeError(error)}`;
      break;
    }
  }
  for (const testCase of suite.tests) {
    const name = `${suite.name} › ${testCase.name}`;
    const started = Date.now();
    let error: string | undefined = setupError;
    if (error === undefined) {
      try {
        await withTimeout(testCase.fn, testCase.timeoutMs, `test "${name}"`);
      } catch (thrown) {
        error = describeError(thrown);
      }
    }
    if (error === undefined) count.pass += 1;
    else count.fail += 1;
    emit({ kind: 'result', name, ok: error === undefined, ms: Date.now() - started, ...(error === undefined ? {} : { error }) });
  }
  for (const hook of suite.after) {
    try {
      await withTimeout(hook, DEFAULT_TIMEOUT_MS * 2, `after() of "${suite.name}"`);
    } catch (error) {
      count.fail += 1;
      emit({ kind: 'result', name: `${suite.name} › after()`, ok: false, ms: 0, error: describeError(error) });
    }
  }
}

/** The extensionTestsPath contract: VS Code calls run() and reports failure when it rejects. */
export async function run(): Promise<void> {
  emit({ kind: 'plan', names: suites.flatMap((s) => s.tests.map((t) => `${s.name} › ${t.name}`)) });
  const count = { pass: 0, fail: 0 };
  for (const s of suites) await runSuite(s, count);
  // The page-only tests run now, while this window and the extension are still up.
  try {
    await ask('pageTests', 'all', undefined, PAGE_TESTS_TIMEOUT_MS);
  } catch (error) {
    count.fail += 1;
    emit({ kind: 'result', name: 'page tests', ok: false, ms: 0, error: describeError(error) });
  }
  emit({ kind: 'done', ...count });
  if (count.fail > 0) throw new Error(`${count.fail} integration test(s) failed`);
}
