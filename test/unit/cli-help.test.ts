import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, UsageError } from '../../src/cli/args';
import type { ArgSpec } from '../../src/cli/args';
import { COMMANDS, main } from '../../src/cli/main';
import type { CliAction } from '../../src/cli/options';
import { runBuilt, skipUnbuilt, STACK_LINE } from './built-cli';

// Each command's own --help, `logbook --version`, and what a refusal prints: the built bin as a
// real process, over every row of main's table, so a command added without its help fails here.

const NAMES = Object.keys(COMMANDS);
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

async function actionOf(name: string): Promise<CliAction> {
  const command = COMMANDS[name];
  assert.ok(command !== undefined, name);
  return command.load();
}

test('every command in the table describes each of its options and arguments, and its usage line names them all', async () => {
  assert.ok(NAMES.length >= 13, `${NAMES.length} commands`);
  for (const name of NAMES) {
    const { spec, help } = await actionOf(name);
    const usage = COMMANDS[name]?.usage ?? '';
    assert.ok(usage.startsWith(`${name}`), `${name}: its usage starts with its name`);
    // One help line per flag of the parser's spec, and one per positional.
    assert.deepEqual(help.options.map((line) => /^--([\w-]+)/.exec(line.term)?.[1]), Object.keys(spec.flags), `${name}: a help line per option`);
    assert.equal(help.positionals.length, spec.positionals, `${name}: a help line per positional`);
    for (const line of [...help.options, ...help.positionals]) {
      assert.ok(line.text.trim().length >= 8, `${name} ${line.term}: a description`);
      assert.ok(usage.includes(line.term), `${name}: usage "${usage}" names ${line.term}`);
    }
    for (const line of help.options) {
      const flag = /^--([\w-]+)/.exec(line.term)?.[1] ?? '';
      // A switch shows no value; an option that takes one shows its placeholder.
      assert.equal(line.term.includes(' '), spec.flags[flag] === 'string', `${name} ${line.term}`);
    }
  }
});

test('logbook <command> --help and -h print its usage, summary and one line per option (the common ones too), exit 0, for every command', { skip: skipUnbuilt }, async () => {
  for (const name of NAMES) {
    const command = COMMANDS[name];
    const { help } = await actionOf(name);
    for (const flag of ['--help', '-h']) {
      const run = runBuilt([name, flag]);
      assert.equal(run.code, 0, `${name} ${flag}: ${run.err}`);
      assert.equal(run.err, '', `${name} ${flag}: nothing on stderr`);
      const lines = run.out.trimEnd().split('\n');
      assert.deepEqual(lines.slice(0, 2), [`usage: logbook ${command?.usage ?? ''}`, `  ${command?.summary ?? ''}`], `${name} ${flag}`);
      const expected = [...help.positionals, ...help.options].map((line) => line.term);
      for (const term of [...expected, '--workspace DIR', '-h, --help']) {
        assert.equal(lines.filter((line) => new RegExp(`^ {2}${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} {2,}\\S`).test(line)).length, 1, `${name} ${flag}: one line for ${term}`);
      }
      assert.doesNotMatch(run.out, /exit codes:/, `${name} ${flag}: its own help, not the whole list`);
      assert.equal(NAMES.filter((other) => other !== name && run.out.includes(`logbook ${other} `)).length, 0, `${name} ${flag}: no other command's usage`);
    }
  }
});

test('`logbook help <command>` is its --help; --help wins over bad arguments, an unknown option or a missing workspace', { skip: skipUnbuilt }, () => {
  const own = runBuilt(['events', '--help']).out;
  assert.equal(runBuilt(['help', 'events']).out, own);
  for (const args of [['events', '--bogus', '--help'], ['events', '--limit', '0', '-h'], ['events', '--help', '--workspace', '/no/such/dir'], ['report', '--html', '/', '--help']]) {
    const run = runBuilt(args);
    assert.deepEqual([run.code, run.err], [0, ''], args.join(' '));
    assert.match(run.out, new RegExp(`^usage: logbook ${args[0] ?? ''} `), args.join(' '));
  }
  assert.match(runBuilt(['help']).out, /^usage:\n/);
});

test('logbook --version and -V print package.json\'s version and exit 0; from source, the same', { skip: skipUnbuilt }, async () => {
  for (const flag of ['--version', '-V']) {
    const run = runBuilt([flag]);
    assert.deepEqual([run.code, run.out, run.err], [0, `${PACKAGE_VERSION}\n`, ''], flag);
  }
  // The bundle has it written in at build time: the version, with no package.json beside it to read.
  assert.ok(readFileSync(join(__dirname, '..', '..', 'dist', 'cli.js'), 'utf8').includes(JSON.stringify(PACKAGE_VERSION)));
  let out = '';
  assert.equal(await main(['--version'], { out: (text) => { out += text; }, err: () => undefined }), 0);
  assert.equal(out, PACKAGE_VERSION);
});

test('a refusal prints one line and only that command\'s usage (exit 2), for every command', { skip: skipUnbuilt }, () => {
  for (const name of NAMES) {
    const run = runBuilt([name, '--no-such-option']);
    assert.equal(run.code, 2, `${name}: ${run.err}`);
    assert.equal(run.out, '', name);
    assert.doesNotMatch(run.err, STACK_LINE);
    assert.deepEqual(run.err.trimEnd().split('\n'), [`logbook ${name}: unknown option --no-such-option`, `usage: logbook ${COMMANDS[name]?.usage ?? ''}`], name);
  }
});

test('an unknown command or a leading option is named, with the list of commands and a pointer to logbook --help, not every usage', { skip: skipUnbuilt }, () => {
  const cases: [string[], string][] = [
    [['frobnicate'], 'logbook: unknown command "frobnicate"'],
    [['Sessions', '--json'], 'logbook: unknown command "Sessions"'],
    [['constructor'], 'logbook: unknown command "constructor"'],
    [['--workspace', '/tmp', 'sessions'], 'logbook: unknown option "--workspace" (the command comes first)'],
    [['\u001b[31mred'], 'logbook: unknown command "\\u001b[31mred"'],
    [['x'.repeat(100_000)], `logbook: unknown command "${'x'.repeat(80)}"… (100,000 characters)`],
  ];
  for (const [args, first] of cases) {
    const run = runBuilt(args);
    const what = args.join(' ').slice(0, 40);
    assert.equal(run.code, 2, what);
    assert.equal(run.out, '', what);
    const lines = run.err.trimEnd().split('\n');
    assert.deepEqual(lines, [first, `commands: ${NAMES.join(', ')}`, 'see "logbook --help" for their usage, or "logbook <command> --help" for one'], what);
  }
});

test('unknown options are refused by name, escaped and shortened; a switch given a value and a value left out are refused', { skip: skipUnbuilt }, () => {
  const cases: [string[], string][] = [
    [['events', '--bogus'], 'logbook events: unknown option --bogus'],
    [['events', '--bogus=1'], 'logbook events: unknown option --bogus'],
    [['events', '-x'], 'logbook events: unknown option -x'],
    [['events', '-Jx'], 'logbook events: unknown option -J'],
    [['events', '--\u001b[2Jx'], 'logbook events: unknown option "--\\u001b[2Jx"'],
    [['events', `--${'y'.repeat(5000)}`], `logbook events: unknown option "--${'y'.repeat(78)}"… (5,002 characters)`],
    [['events', '--json=yes'], 'logbook events: option --json takes no value'],
    [['events', '--session'], 'logbook events: option --session needs a value'],
    [['events', '--session', '--json'], 'logbook events: option --session needs a value'],
    [['report', 's', 't', '--json'], 'logbook report: unexpected argument "t"'],
  ];
  for (const [args, line] of cases) {
    const run = runBuilt(args);
    assert.equal(run.code, 2, args.join(' ').slice(0, 40));
    assert.equal(run.err.split('\n')[0], line);
  }
});

const EVENTS: ArgSpec = { flags: { session: 'string', to: 'string', json: 'boolean', help: 'boolean' }, short: { h: 'help' }, positionals: 1 };
const parsed = (argv: string[]): { flags: Record<string, unknown>; positionals: readonly string[] } => {
  const args = parseArgs(argv, EVENTS);
  return { flags: Object.fromEntries(args.flags), positionals: args.positionals };
};

test('the syntaxes the hand-written parser took still read the same: --flag value, --flag=value, options and positionals in any order, a negative value', () => {
  const same: [string[], string[]][] = [
    [['--session', 's1', '--json'], ['--session=s1', '--json']],
    [['p', '--session', 's1'], ['--session', 's1', 'p']],
    [['--to', '-3'], ['--to=-3']],
    [['--session', 'a=b'], ['--session=a=b']],
    [['--session', ''], ['--session=']],
    [['--session', 'first', '--session', 'last'], ['--session', 'last']],
  ];
  for (const [a, b] of same) assert.deepEqual(parsed(a), parsed(b), `${a.join(' ')} reads as ${b.join(' ')}`);
  assert.deepEqual(parsed(['p', '--session', 's1', '--json', '--to', '-3']), { flags: { session: 's1', json: true, to: '-3' }, positionals: ['p'] });
  // A value may start with one dash (a negative number: the rule answers it); "--" ends the options.
  assert.deepEqual(parsed(['--session', '-', '--to', '-1']).flags, { session: '-', to: '-1' });
  assert.deepEqual(parsed(['--json', '--', '--odd-positional']), { flags: { json: true }, positionals: ['--odd-positional'] });
  assert.deepEqual(parsed(['--to=--x']).flags, { to: '--x' });
  assert.deepEqual(parsed(['-h', '--bogus']), { flags: { help: true }, positionals: [] });
  for (const bad of [['--bogus'], ['--json=1'], ['--to'], ['--to', '--json'], ['a', 'b'], ['-j']]) assert.throws(() => parsed(bad), UsageError, bad.join(' '));
});
