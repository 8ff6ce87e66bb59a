import { loadWithCodeCache } from '../../src/cli/load-cli';

// Loads the bundle named on the command line through the CLI's loader and says what it got.
const loaded = loadWithCodeCache<{ answer: () => string }>(process.argv[2] as string);
process.stdout.write(JSON.stringify({ cacheUsed: loaded.cacheUsed, answer: loaded.exports.answer() }));
