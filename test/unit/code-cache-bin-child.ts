import { setFlagsFromString } from 'node:v8';
import { COMMAND_V8_FLAGS } from '../../src/cli/command-flags';
import { loadWithCodeCache } from '../../src/cli/load-cli';

// As the bin does it: the commands' flags set at run time, then the built CLI bundle loaded.
for (const flag of COMMAND_V8_FLAGS) setFlagsFromString(flag);
const loaded = loadWithCodeCache<{ main?: unknown }>(process.argv[2] as string);
process.stdout.write(JSON.stringify({ cacheUsed: loaded.cacheUsed, hasMain: typeof loaded.exports.main === 'function' }));
