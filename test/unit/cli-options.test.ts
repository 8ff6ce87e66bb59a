import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logbookPaths } from '../../src/capture/paths';
import { readOptions } from '../../src/cli/options';
import { limitRule, optional, sessionRule, filesRule } from '../../src/cli/option-rules';
import { MAX_FIELD_BYTES_MAX, MAX_FIELD_BYTES_MIN } from '../../src/cli/workspace-settings';
import { assertOneLine, runBuilt, skipUnbuilt, STACK_LINE } from './built-cli';
import { putInInbox, tempDir } from './helpers';

// Every CLI argument is checked like a setting, before anything runs: a refusal exits 2 with
// one line naming the option, the value it got (shortened) and the rule, then the usage.

const { dir: ws, cleanup } = tempDir('logbook-options-');
after(cleanup);
const file = join(ws, 'a-file');
writeFileSync(file, '');

const long = (n: number, c = 'x'): string => c.repeat(n);
const tags = (n: number): string => Array.from({ length: n }, (_, i) => `t${i}`).join(',');
const files = (n: number): string => Array.from({ length: n }, (_, i) => `f${i}.ts`).join(',');

/** [arguments, the start of the refusal after "logbook <command>: "]. */
const REFUSED: [string[], string][] = [
  // Whole numbers within bounds (--max-field-bytes shares logbook.capture.maxFieldBytes's).
  [['ingest', '--max-field-bytes', '-5'], '--max-field-bytes must be a whole number from 1,024 to 16,777,216'],
  [['ingest', '--max-field-bytes', '10'], '--max-field-bytes must be a whole number from 1,024 to 16,777,216'],
  [['ingest', '--max-field-bytes', '1023'], '--max-field-bytes must be a whole number from 1,024'],
  [['ingest', '--max-field-bytes', '16777217'], '--max-field-bytes must be a whole number from 1,024 to 16,777,216'],
  [['ingest', '--max-field-bytes', '99999999999999999999'], '--max-field-bytes must be a whole number'],
  [['ingest', '--max-field-bytes', '1e4'], '--max-field-bytes needs a whole number'],
  [['ingest', '--max-field-bytes', ''], '--max-field-bytes needs a whole number'],
  [['events', '--limit', '0'], '--limit must be a whole number from 1 to 1,000,000'],
  [['events', '--limit', '-1'], '--limit must be a whole number from 1'],
  [['events', '--limit', '1000001'], '--limit must be a whole number from 1 to 1,000,000'],
  [['events', '--from', '0'], '--from must be a whole number from 1 to 9,007,199,254,740,991 (positions start at 1)'],
  [['events', '--to', '-3'], '--to must be a whole number from 1'],
  [['events', '--from', 'ten'], '--from needs a whole number'],
  [['events', '--from', '5', '--to', '2'], '--from 5 is after --to 2'],
  // Ids and names: not blank, bounded, no control characters.
  [['events', '--session', ''], '--session must not be blank'],
  [['events', '--session', '  '], '--session must not be blank'],
  [['events', '--session', 'a\u001b[31mb'], '--session must not contain control characters'],
  [['events', '--session', long(300)], '--session must be at most 256 characters'],
  [['events', '--session', long(100_000)], '--session must be at most 256 characters'],
  [['events', '--type', 'Pre\nToolUse'], '--type must not contain control characters'],
  [['transition', '--session', 's', '--to', '', '--reason', 'r'], '--to must not be blank'],
  [['transition', '--session', 's', '--reason', 'r'], '--to is required'],
  [['transition', '--session', 's', '--to', 'x', '--reason', ' '], '--reason must not be blank'],
  [['transition', '--session', 's', '--to', 'x'], '--reason is required'],
  [['transition', '--session', 's', '--to', 'x', '--reason', 'r', '--actor', long(257)], '--actor must be at most 256 characters'],
  // One of its values.
  [['review', '--session', 's', '--outcome', 'maybe'], '--outcome must be approved or rejected'],
  [['review', '--session', 's', '--outcome', 'APPROVED'], '--outcome must be approved or rejected'],
  [['review', '--session', 's'], '--outcome is required'],
  // Free text: bounded; lines and tabs allowed, other control characters not.
  [['review', '--session', 's', '--outcome', 'approved', '--notes', long(16_385)], '--notes must be at most 16,384 characters'],
  [['journal', '--session', 's'], '--text is required'],
  [['journal', '--session', 's', '--text', ' \n '], '--text must not be blank'],
  [['journal', '--session', 's', '--text', long(16_385)], '--text must be at most 16,384 characters'],
  [['journal', '--session', 's', '--text', 'red \u001b[31malert'], '--text must not contain control characters other than tabs and line breaks'],
  // Lists.
  [['journal', '--session', 's', '--text', 't', '--tags', 'a,,b'], '--tags has an empty tag'],
  [['journal', '--session', 's', '--text', 't', '--tags', 'a,'], '--tags has an empty tag'],
  [['journal', '--session', 's', '--text', 't', '--tags', tags(33)], '--tags must list at most 32 tags'],
  [['journal', '--session', 's', '--text', 't', '--tags', `ok,${long(65)}`], '--tags has a tag longer than 64 characters'],
  [['journal', '--session', 's', '--text', 't', '--files', 'a.ts:0'], '--files has line 0: line numbers start at 1'],
  [['journal', '--session', 's', '--text', 't', '--files', ':3'], '--files has a line number without a path'],
  [['journal', '--session', 's', '--text', 't', '--files', 'a.ts,,b.ts'], '--files has an empty file'],
  [['journal', '--session', 's', '--text', 't', '--files', files(101)], '--files must list at most 100 files'],
  [['journal', '--session', 's', '--text', 't', '--files', 'a\u0001b.ts'], '--files has a path with control characters'],
  // Paths, checked on disk.
  [['report', 's', '--html', ws], '--html must be a file that can be written (it is a directory)'],
  [['report', 's', '--html', join(ws, 'no', 'such', 'folder', 'r.html')], '--html must be a file that can be written (its folder'],
  [['report', 's', '--html', join(file, 'r.html')], '--html must be a file that can be written (a part of its path is not a directory)'],
  [['sessions', '--workspace', join(file, 'sub')], '--workspace must be an existing directory (a part of its path is not a directory)'],
  [['report', 's', '--html', ' '], '--html must not be blank'],
  [['sessions', '--workspace', join(ws, 'missing')], '--workspace must be an existing directory (there is nothing at that path)'],
  [['sessions', '--workspace', file], '--workspace must be an existing directory (it is not a directory)'],
  // A search query: bounded, not blank.
  [['events', '--search', ' '], '--search needs a non-empty query'],
  [['events', '--search', long(1_001)], '--search must be at most 1,000 characters'],
  [['events', '--search', 'a\u0007b'], '--search must not contain control characters'],
  // Between options, and positionals.
  [['report', 's', '--json', '--html', join(ws, 'r.html')], 'choose one of --json and --html'],
  [['report', long(300), '--json'], '<session> must be at most 256 characters'],
  [['report', '--json'], 'name the session'],
  [['install-hooks', '--local', '--shared'], 'choose one of --local and --shared'],
];

test('each refused argument exits 2 with one line naming the option, the value (shortened) and the rule, then the usage', { skip: skipUnbuilt }, () => {
  for (const [args, rule] of REFUSED) {
    const [command] = args;
    const withWorkspace = args.includes('--workspace') ? args : [...args, '--workspace', ws];
    const run = runBuilt(withWorkspace);
    const what = JSON.stringify(args).slice(0, 120);
    assert.equal(run.code, 2, `${what}: ${run.err}`);
    assert.equal(run.out, '', `${what}: nothing on stdout`);
    assert.doesNotMatch(run.err, STACK_LINE);
    const [line = '', usage, ...more] = run.err.trimEnd().split('\n');
    assert.ok(line.startsWith(`logbook ${command}: ${rule}`), `${what}: ${line.slice(0, 300)}`);
    assert.match(usage ?? '', new RegExp(`^usage: logbook ${command} `), what);
    assert.deepEqual(more, [], `${what}: two lines`);
    assert.ok(line.length < 400, `${what}: the value is shortened (${line.length} characters)`);
    if (!/is required|choose one|is after|name the session/.test(rule)) assert.match(line, /, got ".*"/, `${what}: names the value`);
    const given = args.find((a) => a.length > 80);
    if (given !== undefined) assert.match(line, /"… \([\d,]+ characters\)/, `${what}: says how long the value was`);
  }
});

test('values within the rules pass them: the command runs (and fails, if at all, for its own reasons, not 2)', { skip: skipUnbuilt }, () => {
  const accepted: string[][] = [
    ['events', '--limit', '1000000', '--from', '1', '--to', '9007199254740991'],
    ['events', '--limit=5', '--search', `"quoted phrase" OR prefix* AND NOT x`],
    ['journal', '--session', 's', '--text', 'line one\n\tline two', '--tags', '', '--files', 'a.ts:1, b/c.ts ,d.ts:12'],
    ['review', '--session', 's', '--outcome', 'rejected', '--notes', long(16_384)],
    ['transition', '--session', long(256), '--to', 'développement', '--reason', 'r', '--actor', 'me'],
    ['report', 's', '--html', join(ws, 'new-report.html')],
    ['sessions', '--workspace', `${ws}/`],
  ];
  for (const args of accepted) {
    const run = runBuilt(args.includes('--workspace') ? args : [...args, '--workspace', ws]);
    assert.notEqual(run.code, 2, `${JSON.stringify(args).slice(0, 120)}: ${run.err}`);
    assert.doesNotMatch(run.err, /usage:/);
  }
});

test('--max-field-bytes at its minimum keeps the event whole (a -5 once cut hook_event_name to "Notific")', { skip: skipUnbuilt }, () => {
  const { dir, cleanup: done } = tempDir('logbook-options-');
  try {
    putInInbox(logbookPaths(dir).inbox, { session_id: 's', hook_event_name: 'Notification', message: 'm'.repeat(5000) });
    const ingest = runBuilt(['ingest', '--max-field-bytes', '1024', '--workspace', dir]);
    assert.equal(ingest.code, 0, ingest.err);
    const [event] = JSON.parse(runBuilt(['events', '--session', 's', '--json', '--workspace', dir]).out) as { type: string; data: { hook_event_name: string; message: string } }[];
    assert.deepEqual([event?.type, event?.data.hook_event_name, event?.data.message.length], ['Notification', 'Notification', 1024]);
  } finally {
    done();
  }
});

test('--max-field-bytes, logbook.capture.maxFieldBytes and package.json share one set of bounds', { skip: skipUnbuilt }, () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { minimum?: number; maximum?: number }> } } };
  const setting = manifest.contributes.configuration.properties['logbook.capture.maxFieldBytes'];
  assert.deepEqual([setting?.minimum, setting?.maximum], [MAX_FIELD_BYTES_MIN, MAX_FIELD_BYTES_MAX]);
  const { dir, cleanup: done } = tempDir('logbook-options-');
  try {
    mkdirSync(join(dir, '.vscode'));
    for (const [value, problem] of [[MAX_FIELD_BYTES_MIN - 1, /Too small/], [MAX_FIELD_BYTES_MAX + 1, /Too big/]] as const) {
      writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'logbook.capture.maxFieldBytes': value }));
      const run = runBuilt(['ingest', '--workspace', dir]);
      assert.equal(run.code, 1);
      assert.match(assertOneLine(run.err, String(value)), new RegExp(`logbook\\.capture\\.maxFieldBytes: ${problem.source}`));
    }
  } finally {
    done();
  }
});

test('the rules read plain values, numbers or text, so another parser can feed them', () => {
  const rules = { limit: optional(limitRule), session: optional(sessionRule), files: optional(filesRule) };
  const read = (flags: [string, string | number | boolean][]): unknown => readOptions(rules, { flags: new Map(flags), positionals: [] });
  assert.deepEqual(read([['limit', 5], ['session', 's']]), { limit: 5, session: 's', files: undefined });
  assert.deepEqual(read([['limit', '5'], ['files', 'a.ts:2']]), { limit: 5, session: undefined, files: [{ path: 'a.ts', line: 2 }] });
  for (const bad of [0, '0', 2.5, '2.5', true]) assert.throws(() => read([['limit', bad]]), /--limit (must be|needs) a whole number/);
});
