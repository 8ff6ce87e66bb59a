import { readFileSync, writeFileSync } from 'node:fs';
import { codeCachePath, loadWithCodeCache, sourceHash } from '../src/cli/load-cli';

// Run by the build, with the flags `logbook` runs its commands with (--liftoff-only): V8 rejects a
// cache made under other flags. Loading the bundle first compiles what its start-up runs, so the
// cache holds those functions too, not only the top level; so does every command's initialiser.
const file = process.argv[2];
if (file === undefined) throw new Error('usage: make-code-cache <bundle.js>');
writeFileSync(codeCachePath(file), Buffer.alloc(0));
void (async () => {
  const { script, exports } = loadWithCodeCache<{ loadEveryCommand?: () => Promise<void> }>(file);
  // The commands' modules are initialised when a command runs: run every initialiser once here.
  await exports.loadEveryCommand?.();
  writeFileSync(codeCachePath(file), Buffer.concat([sourceHash(readFileSync(file)), script.createCachedData()]), { mode: 0o644 });
})();
