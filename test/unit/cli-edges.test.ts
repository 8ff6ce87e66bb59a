import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { logbookPaths } from '../../src/capture/paths';
import { assertOneLine, BIN, runBuilt, skipUnbuilt, STACK_LINE } from './built-cli';
import { fixturePayloads, logInInbox, tempDir } from './helpers';

// The CLI's sharp edges, on the built bin as a real process: a reader that stops early, a full
// disk, an error nobody foresaw, a store that cannot be read, a malformed search query.

const SESSIONS = 40;
let big = '';
const cleanups: (() => void)[] = [];

function workspace(): string {
  const { dir, cleanup } = tempDir('logbook-edges-');
  cleanups.push(cleanup);
  return dir;
}

before(() => {
  if (skipUnbuilt !== false) return;
  // 40 copies of the captured session: 2,520 events, about 3 MB of `events --json`.
  big = workspace();
  for (let s = 0; s < SESSIONS; s += 1) for (const p of fixturePayloads()) logInInbox(logbookPaths(big).inbox, { ...p, session_id: `s${s}` });
  const ingest = runBuilt(['ingest', '--workspace', big]);
  assert.equal(ingest.code, 0, ingest.err);
});

after(() => {
  for (const cleanup of cleanups) cleanup();
});

/** Runs the bin, reads the first chunk of its stdout, then closes the pipe: later writes get EPIPE. */
function readOneChunkThenClose(args: readonly string[]): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOGBOOK_DEBUG: '' } });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code, signal) => resolve({ code, signal, err }));
  });
}

test('a reader that stops early (EPIPE) ends every long output with one line and exit 141, never a stack trace', { skip: skipUnbuilt }, async () => {
  for (const args of [['events', '--json'], ['events'], ['events', '--type', 'PreToolUse', '--json'], ['events', '--search', 'Bash', '--json']]) {
    const what = args.join(' ');
    const run = await readOneChunkThenClose([...args, '--workspace', big]);
    assert.equal(run.signal, null, `${what}: not killed by a signal`);
    assert.equal(run.code, 141, `${what}: ${run.err}`);
    assert.match(assertOneLine(run.err, what), /^logbook events: stopped: the reader closed the output before it was all written \(broken pipe, EPIPE\)$/);
  }
});

test('`| head -1` in a shell: the first line, then exit 141 with one line; with 2>&1 the pipe takes stderr too and nothing more is said', { skip: skipUnbuilt || (existsSync('/bin/bash') ? false : 'no /bin/bash') }, () => {
  const bash = (pipeline: string): { out: string; err: string } => {
    const run = spawnSync('/bin/bash', ['-c', `${pipeline}; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', env: { ...process.env, LOGBOOK_DEBUG: '' } });
    return { out: run.stdout, err: run.stderr };
  };
  const cli = `"${process.execPath}" "${BIN}"`;
  for (const command of ['events --json', 'events']) {
    const piped = bash(`${cli} ${command} --workspace "${big}" | head -1`);
    assert.equal(piped.out.split('\n').length, 2, 'head printed one line');
    assert.match(piped.err, /^logbook events: stopped: .*\(broken pipe, EPIPE\)\nstatus=141\n$/);
    const both = bash(`${cli} ${command} --workspace "${big}" 2>&1 | head -1`);
    assert.doesNotMatch(both.out, STACK_LINE);
    assert.equal(both.err, 'status=141\n');
  }
});

const skipNoFull = skipUnbuilt || (existsSync('/dev/full') ? false : '/dev/full exists on Linux only');

test('a full disk (/dev/full) on stdout: one line naming ENOSPC on stderr, exit 1, for short and long outputs', { skip: skipNoFull }, () => {
  const empty = workspace();
  const cases: [string[], string][] = [
    [['--help'], 'logbook'],
    [['sessions', '--workspace', big], 'logbook sessions'],
    [['sessions', '--json', '--workspace', big], 'logbook sessions'],
    [['events', '--json', '--workspace', big], 'logbook events'],
    [['ingest', '--workspace', empty], 'logbook ingest'],
  ];
  for (const [args, label] of cases) {
    const full = openSync('/dev/full', 'w');
    try {
      const run = runBuilt(args, { stdio: ['ignore', full, 'pipe'] });
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.err}`);
      assert.equal(assertOneLine(run.err, args.join(' ')), `${label}: cannot write the output: no space left on device (ENOSPC)`);
    } finally {
      closeSync(full);
    }
  }
});

test('stdout open for reading only (EBADF): one line naming it, exit 1', { skip: skipUnbuilt }, () => {
  const readOnly = join(workspace(), 'read-only');
  writeFileSync(readOnly, '');
  for (const args of [['--help'], ['sessions', '--json', '--workspace', big], ['events', '--workspace', big]]) {
    const fd = openSync(readOnly, 'r');
    try {
      const run = runBuilt(args, { stdio: ['ignore', fd, 'pipe'] });
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.err}`);
      assert.match(assertOneLine(run.err, args.join(' ')), /^logbook( \w+)?: cannot write the output: the output is not open for writing \(EBADF\)$/);
    } finally {
      closeSync(fd);
    }
  }
});

test('a full disk on stderr alone: stdout still answers, the lost message makes the exit 1; both full: no crash, and a failed command keeps its own code', { skip: skipNoFull }, () => {
  const empty = workspace();
  const full = openSync('/dev/full', 'w');
  try {
    // "no store yet" goes to stderr, which cannot take it.
    const errFull = runBuilt(['sessions', '--workspace', empty], { stdio: ['ignore', 'pipe', full] });
    assert.equal(errFull.out, 'no sessions recorded yet\n');
    assert.equal(errFull.code, 1);
    for (const args of [['sessions', '--workspace', empty], ['events', '--json', '--workspace', big], ['frobnicate']]) {
      const bothFull = runBuilt(args, { stdio: ['ignore', full, full] });
      assert.equal(bothFull.code, args[0] === 'frobnicate' ? 2 : 1, args.join(' '));
    }
  } finally {
    closeSync(full);
  }
});

test('an uncaught exception or rejection ends the process with one line, exit 1; LOGBOOK_DEBUG=1 adds the stack', { skip: skipUnbuilt }, () => {
  const dir = workspace();
  // Loaded before the bin (node --require): a failure from nowhere, once the CLI runs.
  const failures: [string, string, RegExp][] = [
    ['throw.js', "setTimeout(() => { throw new Error('boom from a timer'); });", /^logbook: unexpected error: boom from a timer \(run with LOGBOOK_DEBUG=1 to see where\)$/],
    ['throw-string.js', "setTimeout(() => { throw 'a bare string'; });", /^logbook: unexpected error: a bare string/],
    ['reject.js', "setTimeout(() => { Promise.reject(new Error('nobody awaited me')); });", /^logbook: unexpected error: nobody awaited me/],
  ];
  for (const [name, code, line] of failures) {
    const preload = join(dir, name);
    writeFileSync(preload, code);
    const run = runBuilt(['--help'], { env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(run.code, 1, `${name}: ${run.err}`);
    assert.match(run.out, /^usage:/, 'the command itself ran');
    assert.match(assertOneLine(run.err, name), line);
  }
  const debug = runBuilt(['--help'], { env: { NODE_OPTIONS: `--require ${join(dir, 'throw.js')}`, LOGBOOK_DEBUG: '1' } });
  assert.equal(debug.code, 1);
  assert.match(debug.err, /^logbook: unexpected error: boom from a timer\nError: boom from a timer\n\s+at /);
});

/** Workspaces whose store file is there but unusable, each a different way. */
function damagedStores(): [string, string][] {
  const real = readFileSync(logbookPaths(big).store);
  const make = (what: string, damage: (store: string) => void): [string, string] => {
    const dir = workspace();
    mkdirSync(logbookPaths(dir).dir, { recursive: true });
    damage(logbookPaths(dir).store);
    return [what, dir];
  };
  return [
    make('random bytes', (store) => writeFileSync(store, Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)))),
    make('an empty file', (store) => writeFileSync(store, '')),
    make('a store cut in half', (store) => writeFileSync(store, real.subarray(0, Math.floor(real.length / 2)))),
    make('a directory', (store) => mkdirSync(store)),
  ];
}

test('every read command on an unusable store: the file and what to do on stderr, nothing on stdout, exit 1', { skip: skipUnbuilt }, () => {
  const commands = [['sessions', '--json'], ['sessions'], ['events', '--json'], ['events', '--session', 's1', '--json'], ['report', 's1', '--json'], ['status', '--json'], ['status', '--session', 's1'], ['journal', '--text', 'x', '--session', 's1']];
  for (const [what, dir] of damagedStores()) {
    for (const args of commands) {
      const label = `${args.join(' ')} on ${what}`;
      const run = runBuilt([...args, '--workspace', dir]);
      assert.equal(run.code, 1, `${label}: ${run.err}`);
      assert.equal(run.out, '', `${label}: nothing on stdout`);
      const line = assertOneLine(run.err, label);
      assert.ok(line.includes(logbookPaths(dir).store), `${label} names the file: ${line}`);
      assert.match(line, /run "logbook (ingest|rebuild)"/, `${label} says what to do`);
    }
  }
});

test('no store yet is an answer for a listing (`[]`, said on stderr, exit 0), not for a named session (exit 1, stdout empty)', { skip: skipUnbuilt }, () => {
  const dir = workspace();
  for (const args of [['sessions', '--json'], ['events', '--json']]) {
    const run = runBuilt([...args, '--workspace', dir]);
    assert.deepEqual([run.code, run.out], [0, '[]\n'], args.join(' '));
    assert.match(run.err, /^no store yet at \.logbook\/logbook\.sqlite\.\n$/);
  }
  for (const args of [['events', '--session', 's1', '--json'], ['report', 's1', '--json']]) {
    const run = runBuilt([...args, '--workspace', dir]);
    assert.deepEqual([run.code, run.out], [1, ''], args.join(' '));
    assert.match(run.err, /no store yet/);
  }
  const unknown = runBuilt(['events', '--session', 'nobody', '--json', '--workspace', big]);
  assert.deepEqual([unknown.code, unknown.out], [1, '']);
  assert.match(unknown.err, /no session "nobody" in the store/);
});

const MALFORMED = ['a AND (', '"open', ')', 'NOT', 'a OR', 'a NEAR/3', 'a OR OR b', `x AND ${'y'.repeat(992)} (`];

test('a malformed search query exits 2 with one line that quotes it shortened, never the whole query', { skip: skipUnbuilt }, () => {
  for (const query of MALFORMED) {
    const run = runBuilt(['events', '--search', query, '--workspace', big]);
    assert.equal(run.code, 2, `${query.slice(0, 20)}: ${run.err}`);
    assert.equal(run.out, '');
    const line = assertOneLine(run.err, query.slice(0, 20));
    assert.match(line, /^logbook events: search query ".*"(… \(1,000 characters\))? is not a valid full-text query \(malformed MATCH expression\); use words/);
    assert.ok(line.length < 300, `short: ${line.length} characters`);
    if (query.length > 80) assert.match(line, /"… \(1,000 characters\)/);
  }
  // Past the bound, the rule refuses it before the store is opened.
  const huge = runBuilt(['events', '--search', `(${'z'.repeat(100_000)}`, '--workspace', big]);
  assert.equal(huge.code, 2);
  assert.ok(huge.err.length < 600 && !huge.err.includes('z'.repeat(100)), 'the 100 KB query is not echoed');
});

test('the MCP events_search tool answers a malformed or huge query with a short tool error, and keeps serving', { skip: skipUnbuilt }, async (t) => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--workspace', big], stderr: 'pipe' });
  const client = new Client({ name: 'logbook-test', version: '1.0.0' });
  await client.connect(transport);
  t.after(() => client.close());
  const call = async (query: string): Promise<{ text: string; isError: boolean }> => {
    const result = await client.callTool({ name: 'events_search', arguments: { query } });
    const content = (result['content'] ?? []) as { text?: string }[];
    return { text: content.map((c) => c.text ?? '').join('\n'), isError: result['isError'] === true };
  };
  for (const query of MALFORMED) {
    const answer = await call(query);
    assert.equal(answer.isError, true, query.slice(0, 20));
    assert.match(answer.text, /^search query ".*"(… \(1,000 characters\))? is not a valid full-text query \(malformed MATCH expression\)\. Use words/);
    assert.ok(answer.text.length < 300, `short: ${answer.text.length} characters`);
  }
  const huge = await call(`(${'z'.repeat(100_000)}`);
  assert.equal(huge.isError, true);
  assert.ok(huge.text.length < 600 && !huge.text.includes('z'.repeat(100)), `not echoed: ${huge.text.slice(0, 200)}`);
  assert.match((await call('Bash')).text, /matching events/, 'still serving');
});

test('logbook --help lists the exit codes and says that arguments are checked', { skip: skipUnbuilt }, () => {
  const help = runBuilt(['--help']);
  assert.equal(help.code, 0);
  for (const line of [/^exit codes:$/m, /^ {2}0 {4}done$/m, /^ {2}1 {4}failed .*could not be written/m, /^ {2}2 {4}bad arguments, or a malformed --search query$/m, /^ {2}141 {2}the reader closed the output early/m, /arguments are checked before anything runs/]) {
    assert.match(help.out, line);
  }
});

test('events --json, written a piece at a time, is JSON.stringify(events, null, 2) and outgrows a pipe buffer many times over', { skip: skipUnbuilt }, () => {
  const run = runBuilt(['events', '--json', '--workspace', big]);
  assert.equal(run.code, 0);
  const events = JSON.parse(run.out) as unknown[];
  assert.equal(events.length, SESSIONS * fixturePayloads().length);
  assert.equal(run.out, `${JSON.stringify(events, null, 2)}\n`);
  assert.ok(run.out.length > 40 * 65_536, `${run.out.length} characters`);
});
