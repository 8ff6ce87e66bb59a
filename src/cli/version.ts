import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The build writes package.json's version into dist/cli.js (esbuild `define`, scripts/build.mjs),
// so `logbook --version` reads no file. Run from source (the tests, through tsx), it is not
// defined: package.json is then read from the checkout.

declare const LOGBOOK_VERSION: string | undefined;

/** The version of package.json the CLI was built from. */
export function logbookVersion(): string {
  if (typeof LOGBOOK_VERSION === 'string') return LOGBOOK_VERSION;
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
