import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { login, startCodeServer } from './code-server';
import type { CodeServer } from './code-server';

// A `.logbook/` that looks planted gets a warning in VS Code, not silent use. Checked in a plain
// window with the packaged .vsix, activated as a user's VS Code activates it: a link is planted in
// `.logbook/state/` (which nothing of the logbook reads, so nothing else changes) before the window
// opens, and the window must show a warning naming it. Its own code-server, without the smoke-test
// driver: with the driver, VS Code shows no notification at all (seen here).

export interface PlantedCheckInput {
  readonly browser: Browser;
  readonly vsix: string;
  readonly workspace: string;
  readonly dir: string;
  readonly screenshotDir: string;
}

/** Runs the check; returns why it failed, or undefined. */
export async function plantedWarningProblem(input: PlantedCheckInput): Promise<string | undefined> {
  const state = join(input.workspace, '.logbook', 'state');
  mkdirSync(state, { recursive: true, mode: 0o700 });
  const link = join(state, 'planted-by-itest');
  rmSync(link, { force: true });
  symlinkSync('/etc/hostname', link);
  let server: CodeServer | undefined;
  let page: Page | undefined;
  try {
    server = await startCodeServer({ dir: input.dir, installExtensions: [input.vsix] });
    page = await (await input.browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
    await login(page, server);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(input.workspace)}`);
    return await warningNaming(page, link, join(input.screenshotDir, 'planted-warning.png'));
  } finally {
    rmSync(link, { force: true });
    await page?.context().close().catch(() => undefined);
    await server?.stop();
  }
}

async function warningNaming(page: Page, link: string, screenshot: string): Promise<string | undefined> {
  const deadline = Date.now() + 60_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
    const toast = seen.find((message) => message.includes(link));
    if (toast !== undefined) {
      await page.screenshot({ path: screenshot }).catch(() => undefined);
      return /is a symbolic link to \/etc\/hostname.*A cloned repository may have planted it; Agent Logbook does not read or write through it/.test(toast)
        ? undefined
        : `the warning does not say what the link is and what the logbook does about it: ${toast}`;
    }
    await page.waitForTimeout(250);
  }
  return `no notification named ${link} within 60 s of opening the window (notifications: ${JSON.stringify(seen)})`;
}
