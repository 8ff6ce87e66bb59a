import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { tempDir } from './helpers';

const ROOT = join(__dirname, '..', '..');

// ccusage 18.0.11 (pinned devDependency) is plain JavaScript. The 20.x line is a launcher for
// native binaries from optional packages that this project's registry does not all serve, so
// `npm ci` cannot install it from the lock file.
export const CCUSAGE_SKIP = existsSync(join(ROOT, 'node_modules', '.bin', 'ccusage')) ? false : 'ccusage is not installed';

export interface CcusageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
}
interface CcusageSession extends CcusageTotals {
  sessionId: string;
}
export interface CcusageReport {
  sessions: CcusageSession[];
  totals: CcusageTotals;
}

/**
 * `ccusage session --json --offline` on a Claude config dir. HOME is an empty temp folder
 * and the environment is minimal, so it cannot read the real ~/.claude or a ccusage config;
 * --offline makes it use the pricing embedded in the binary instead of fetching LiteLLM's.
 */
export function runCcusage(configDir: string): CcusageReport {
  const home = tempDir('logbook-ccusage-home-');
  try {
    const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'ccusage'), ['session', '--json', '--offline'], {
      cwd: home.dir,
      env: { PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter), HOME: home.dir, CLAUDE_CONFIG_DIR: configDir, NO_COLOR: '1', TZ: 'UTC' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(out) as CcusageReport;
    assert.ok(Array.isArray(report.sessions) && typeof report.totals?.inputTokens === 'number', `unexpected ccusage output: ${out.slice(0, 300)}`);
    return report;
  } finally {
    home.cleanup();
  }
}

