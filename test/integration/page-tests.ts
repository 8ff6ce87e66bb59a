// The runner's side of the integration tier: code that drives the VS Code page with playwright
// (it holds the browser; the in-host suites cannot). Two kinds:
//   - `steps`: named functions an in-host test calls with pageStep(name, arg) (harness.ts); each
//     gets the page, the test's JSON argument and the context, and returns a JSON result;
//   - `tests`: page-only tests the runner runs after the in-host suites, while the window and the
//     extension are still up; counted in the tier's TAP like the in-host tests.
// Helpers below (webviewFrames, sidebarRows, runCommand) are for both.
import type { Frame, Locator, Page } from 'playwright-core';
import type { ItestContext } from './harness';

/** What page steps and page tests get besides the page. */
export interface PageContext extends ItestContext {
  /** Saves test-results/screenshots/<name>.png; resolves with its path. */
  screenshot(name: string): Promise<string>;
}

export type PageStep = (page: Page, arg: unknown, context: PageContext) => Promise<unknown>;

export interface PageTest {
  readonly name: string;
  readonly timeoutMs?: number;
  run(page: Page, context: PageContext): Promise<void>;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function stringField(arg: unknown, key: string): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const value = (arg as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The content frames of the open webviews. A webview is an iframe (class "webview") hosting the
 * extension's page in a nested iframe ("active-frame"); `title` narrows them down to those whose
 * page <title> (the project's webviews set it to the panel's title) contains it.
 */
export async function webviewFrames(page: Page, title?: string): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const outer of await page.locator('iframe.webview').all()) {
    const handle = await outer.elementHandle();
    const outerFrame = await handle?.contentFrame();
    if (outerFrame === null || outerFrame === undefined) continue;
    const inner = outerFrame.childFrames().find((f) => f.name() === 'active-frame') ?? outerFrame.childFrames()[0];
    if (inner === undefined) continue;
    if (title !== undefined && !(await inner.title().catch(() => '')).includes(title)) continue;
    frames.push(inner);
  }
  return frames;
}

/** The aria-labels of the rows of the tree/list views in the side bar (optionally one view, by its title). */
export async function sidebarRows(page: Page, view?: string): Promise<string[]> {
  const scope = view === undefined ? page.locator('.part.sidebar') : page.locator('.part.sidebar .pane').filter({ has: page.locator(`.pane-header[aria-label*="${view.replace(/"/g, '\\"')}"]`) });
  const rows = scope.locator('.monaco-list-row');
  const labels: string[] = [];
  for (const row of await rows.all()) labels.push((await row.getAttribute('aria-label')) ?? (await row.innerText()));
  return labels;
}

/**
 * Runs a command through the command palette, by its title as shown there (e.g. "Logbook: Show
 * Log"). It picks the row that shows that title, never just the first fuzzy match: until the
 * extension has activated its commands are not in the list, and Enter would run something else.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input');
  for (;;) {
    if (!(await input.isVisible())) await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: title }) });
    try {
      await row.first().waitFor({ state: 'visible', timeout: 2_000 });
      await pickRow(page, row.first());
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no command "${title}" in the command palette within ${timeoutMs / 1000} s: ${String(error)}`);
      await input.fill('');
      await page.waitForTimeout(500);
    }
  }
}

// Runs in the page (a string: the tests are compiled without the DOM library).
const DESCRIBE_PAGE = `(() => {
  const text = (el) => (el && el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 160);
  const name = (el) => {
    if (!el || !el.tagName) return 'nothing';
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean).slice(0, 3) : [];
    const label = el.getAttribute('aria-label');
    return el.tagName.toLowerCase() + classes.map((c) => '.' + c).join('') + (label ? ' "' + label.slice(0, 60) + '"' : '');
  };
  const active = document.activeElement;
  const quick = document.querySelector('.quick-input-widget');
  const quickSeen = !quick || quick.style.display === 'none' ? 'hidden'
    : 'shown' + (quick.inert ? ' (closing)' : '') + ', placeholder "' + ((quick.querySelector('input') || {}).placeholder || '') + '"';
  const all = (selector) => [...document.querySelectorAll(selector)].map(text).filter(Boolean);
  return [
    'page focused: ' + document.hasFocus() + ', ' + document.visibilityState,
    'focus: ' + name(active) + ' in ' + name(active && active.closest ? active.closest('.part, .quick-input-widget, .monaco-dialog-box, .notifications-toasts') : null),
    'quick input: ' + quickSeen,
    'dialogs: ' + JSON.stringify(all('.monaco-dialog-box')),
    'notifications: ' + JSON.stringify(all('.notification-toast .notification-list-item-message')),
    'editor tabs: ' + JSON.stringify(all('.tabs-container .tab .label-name')),
  ].join('; ');
})()`;

/**
 * What the page shows that could explain a step that went wrong: where the focus is, the quick
 * input, dialogs, notifications and editor tabs. One line, for a test's failure message.
 */
export async function describePage(page: Page): Promise<string> {
  return page.evaluate<string>(DESCRIBE_PAGE).catch((error: unknown) => `the page could not be read: ${String(error)}`);
}

/**
 * Runs a quick-input row: Enter when it is the focused one (the usual case), else a click. The
 * keyboard first, because a hover left by the mouse's last click can lie over the list.
 */
export async function pickRow(page: Page, row: Locator): Promise<void> {
  if (((await row.getAttribute('class')) ?? '').split(/\s+/).includes('focused')) await page.keyboard.press('Enter');
  else {
    await page.mouse.move(1, 1);
    await row.click();
  }
}

/** A notification's row, as a toast or in the notification center. */
const NOTIFICATION_ITEMS = '.notification-toast .notification-list-item, .notifications-center .notification-list-item';

export const steps: Record<string, PageStep> = {
  /**
   * The rendered text (innerText) of the first webview matching {title?}: once it holds {contains},
   * or, without it, once it is non-empty and has not changed for half a second.
   */
  async webviewText(page, arg) {
    const title = stringField(arg, 'title');
    const contains = stringField(arg, 'contains');
    const deadline = Date.now() + 15_000;
    let previous = '';
    for (;;) {
      const [frame] = await webviewFrames(page, title);
      const text = frame === undefined ? '' : await frame.locator('body').innerText().catch(() => '');
      if (contains !== undefined ? text.includes(contains) : text.trim() !== '' && text === previous) return text;
      if (Date.now() > deadline) throw new Error(`no webview${title === undefined ? '' : ` titled "${title}"`} with ${contains === undefined ? 'settled text' : `"${contains}"`} within 15 s (text: ${JSON.stringify(text.slice(0, 300))})`);
      previous = text;
      await page.waitForTimeout(500);
    }
  },
  /** The textContent of every element matching {selector} in the first webview matching {title?} (waits for one). */
  async webviewQuery(page, arg) {
    const title = stringField(arg, 'title');
    const selector = stringField(arg, 'selector');
    check(selector !== undefined, 'webviewQuery needs { selector }');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [frame] = await webviewFrames(page, title);
      const texts = frame === undefined ? [] : await frame.locator(selector).evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
      if (texts.length > 0) return texts;
      if (Date.now() > deadline) throw new Error(`no "${selector}" in a webview${title === undefined ? '' : ` titled "${title}"`} within 15 s`);
      await page.waitForTimeout(200);
    }
  },
  /** Clicks the first element matching {selector} and/or showing {text} in the first webview matching {title?}, holding {modifiers?}. */
  async clickInWebview(page, arg) {
    const title = stringField(arg, 'title');
    const selector = stringField(arg, 'selector');
    const text = stringField(arg, 'text');
    check(selector !== undefined || text !== undefined, 'clickInWebview needs { selector } or { text }');
    const [frame] = await webviewFrames(page, title);
    check(frame !== undefined, `no webview${title === undefined ? '' : ` titled "${title}"`}`);
    const target = selector === undefined ? frame.getByText(text ?? '', { exact: true }) : text === undefined ? frame.locator(selector) : frame.locator(selector).filter({ hasText: text });
    // {modifiers: ['ControlOrMeta']}: a ctrl/cmd-click (the dashboard's row selection).
    const modifiers = (typeof arg === 'object' && arg !== null && Array.isArray((arg as { modifiers?: unknown }).modifiers) ? (arg as { modifiers: unknown[] }).modifiers : [])
      .filter((m): m is 'Alt' | 'Control' | 'ControlOrMeta' | 'Meta' | 'Shift' => typeof m === 'string' && ['Alt', 'Control', 'ControlOrMeta', 'Meta', 'Shift'].includes(m));
    await target.first().click({ timeout: 15_000, modifiers });
    return true;
  },
  /**
   * For every element matching {selector} in the first webview matching {title?}: its text and the
   * attributes named in {attrs}. Waits up to 15 s for at least one match; [] when none came.
   */
  async webviewAttrs(page, arg) {
    const title = stringField(arg, 'title');
    const selector = stringField(arg, 'selector');
    check(selector !== undefined, 'webviewAttrs needs { selector }');
    const attrs = (typeof arg === 'object' && arg !== null && Array.isArray((arg as { attrs?: unknown }).attrs) ? (arg as { attrs: unknown[] }).attrs : []).filter((a): a is string => typeof a === 'string');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const [frame] = await webviewFrames(page, title);
      const found = frame === undefined ? [] : await frame.locator(selector).evaluateAll((nodes, names) => nodes.map((n) => {
        const record: Record<string, string | null> = { text: n.textContent ?? '' };
        for (const name of names) record[name] = n.getAttribute(name);
        return record;
      }), attrs);
      if (found.length > 0 || Date.now() > deadline) return found;
      await page.waitForTimeout(200);
    }
  },
  /** Types {value} into the element matching {selector} (an <input>, or a vscode-textfield's inner input). */
  async webviewFill(page, arg) {
    const title = stringField(arg, 'title');
    const selector = stringField(arg, 'selector');
    const value = stringField(arg, 'value');
    check(selector !== undefined && value !== undefined, 'webviewFill needs { selector, value }');
    const [frame] = await webviewFrames(page, title);
    check(frame !== undefined, `no webview${title === undefined ? '' : ` titled "${title}"`}`);
    const target = frame.locator(selector).first();
    await target.waitFor({ state: 'attached', timeout: 15_000 });
    const tag = await target.evaluate((n) => n.tagName.toLowerCase());
    // Typed key by key, as a person would, so the view's own input handling is what is tested.
    const field = tag === 'input' || tag === 'textarea' ? target : target.locator('input').first();
    await field.fill('');
    await field.pressSequentially(value, { delay: 15 });
    await page.waitForTimeout(400);
    const shown = await field.inputValue();
    check(shown === value, `typed ${JSON.stringify(value)} into ${selector} but it shows ${JSON.stringify(shown)}`);
    return true;
  },
  /** Picks the option with value {value} in the <select> matching {selector} (its change handler runs). */
  async webviewSelect(page, arg) {
    const title = stringField(arg, 'title');
    const selector = stringField(arg, 'selector');
    const value = stringField(arg, 'value');
    check(selector !== undefined && value !== undefined, 'webviewSelect needs { selector, value }');
    const [frame] = await webviewFrames(page, title);
    check(frame !== undefined, `no webview${title === undefined ? '' : ` titled "${title}"`}`);
    const picked = await frame.locator(selector).first().selectOption(value, { timeout: 15_000 });
    check(picked.includes(value), `${selector} has no option ${JSON.stringify(value)}`);
    return true;
  },
  /**
   * Whether anything a recorded payload carried ran or became markup in the first webview matching
   * {title?}: the global the hostile output would set, and the <img>/<script> elements inside #app.
   */
  async webviewInert(page, arg) {
    const title = stringField(arg, 'title');
    const [frame] = await webviewFrames(page, title);
    check(frame !== undefined, `no webview${title === undefined ? '' : ` titled "${title}"`}`);
    // A string, evaluated in the page: this file is type-checked without the DOM library.
    return frame.evaluate(`({
      pwned: window.__logbookPwned ?? null,
      imgs: document.querySelectorAll('#app img').length,
      scripts: document.querySelectorAll('#app script').length,
    })`);
  },
  /** The row labels of the side bar's views, or of the view titled {view}. */
  async sidebarRows(page, arg) {
    return sidebarRows(page, stringField(arg, 'view'));
  },
  /** Clicks the first side bar row whose label contains {label}. */
  async clickSidebarRow(page, arg) {
    const label = stringField(arg, 'label');
    check(label !== undefined, 'clickSidebarRow needs { label }');
    await page.locator('.part.sidebar .monaco-list-row').filter({ hasText: label }).first().click();
    return true;
  },
  /**
   * Hovers the first side bar row whose label contains {label} and clicks its inline action titled
   * {action} (a tree item's `inline` menu entry); returns the titles of the row's inline actions.
   */
  async clickSidebarRowAction(page, arg) {
    const label = stringField(arg, 'label');
    const action = stringField(arg, 'action');
    check(label !== undefined && action !== undefined, 'clickSidebarRowAction needs { label, action }');
    const row = page.locator('.part.sidebar .monaco-list-row').filter({ hasText: label }).first();
    await row.hover();
    const titles = await row.locator('.actions .action-label').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? n.getAttribute('title') ?? ''));
    await row.locator(`.actions .action-label[aria-label="${action.replace(/"/g, '\\"')}"]`).first().click({ timeout: 15_000 });
    return titles;
  },
  /** Drags the side bar's edge to make it {width} pixels wide; returns its width before and after. */
  async resizeSideBar(page, arg) {
    const width = typeof arg === 'object' && arg !== null ? (arg as { width?: unknown }).width : undefined;
    check(typeof width === 'number' && width > 100, 'resizeSideBar needs { width }');
    const box = await page.locator('.part.sidebar').boundingBox();
    check(box !== null, 'no side bar on screen');
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width + 1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + width, y, { steps: 8 });
    await page.mouse.up();
    // Off the edge, or it stays highlighted in the next screenshot.
    await page.mouse.move(box.x + width + 200, y);
    return { before: box.width, after: (await page.locator('.part.sidebar').boundingBox())?.width ?? 0 };
  },
  /** The messages of the notification toasts shown now, once one holds {contains} (or after 15 s, whatever is shown). */
  async notificationToasts(page, arg) {
    const contains = stringField(arg, 'contains');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const messages = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
      if (contains === undefined || messages.some((m) => m.includes(contains)) || Date.now() > deadline) return messages;
      await page.waitForTimeout(200);
    }
  },
  /**
   * The messages of the notifications on screen, as toasts or in the notification center, once one
   * holds {contains} (or after 15 s, whatever is shown). A window with the smoke-test driver (the
   * in-host suites') never toasts: show the center first (command notifications.showList).
   */
  async notifications(page, arg) {
    const contains = stringField(arg, 'contains');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const messages = await page.locator(NOTIFICATION_ITEMS).locator('.notification-list-item-message').allInnerTexts();
      if (contains === undefined || messages.some((m) => m.includes(contains)) || Date.now() > deadline) return messages;
      await page.waitForTimeout(200);
    }
  },
  /** Clicks the button {button} (its whole label) of the notification (toast or in the center) whose message holds {contains}. */
  async clickNotificationButton(page, arg) {
    const contains = stringField(arg, 'contains');
    const button = stringField(arg, 'button');
    check(contains !== undefined && button !== undefined, 'clickNotificationButton needs { contains, button }');
    const item = page.locator(NOTIFICATION_ITEMS).filter({ has: page.locator('.notification-list-item-message', { hasText: contains }) });
    const label = new RegExp(`^\\s*${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    await item.first().locator('.notification-list-item-buttons-container .monaco-button').filter({ hasText: label }).first().click({ timeout: 15_000 });
    return true;
  },
  /** Runs {title} through the command palette. */
  async runCommand(page, arg) {
    const title = stringField(arg, 'title');
    check(title !== undefined, 'runCommand needs { title }');
    await runCommand(page, title);
    return true;
  },
};

export const tests: PageTest[] = [
  {
    name: 'the workbench shows the recorded workspace: its name in the title and notes.txt in the Explorer',
    async run(page, context) {
      const folder = context.workspace.split('/').pop() ?? '';
      const deadline = Date.now() + 20_000;
      while (!(await page.title()).includes(folder)) {
        check(Date.now() < deadline, `the window title "${await page.title()}" never named the folder ${folder}`);
        await page.waitForTimeout(200);
      }
      await runCommand(page, 'View: Show Explorer');
      const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: 'notes.txt' });
      await row.first().waitFor({ state: 'visible', timeout: 20_000 });
      await context.screenshot('explorer-notes');
    },
  },
];
