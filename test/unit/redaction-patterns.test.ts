import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPatternSafety } from '../../src/domain/redaction/pattern-safety';
import { compileRedactor } from '../../src/domain/redaction/redactor';
import { parseRedactionSettings } from '../../src/domain/redaction/settings-schema';
import { MAX_USER_PATTERNS } from '../../src/domain/redaction/user-patterns';
import { HASH_KEY, redactorWith } from './redaction-cases';

// `logbook.redaction.patterns`: user rules from workspace settings, which a hostile repository
// can write. Accepted ones redact like built-ins; refused ones are left out with a reason.

const PLAIN = { ignoreCase: false, unicode: false, dotAll: false };

test('a user pattern redacts with its name as the rule; a group named "secret" limits the replacement; flags apply', () => {
  const r = redactorWith({
    patterns: [
      { name: 'corp-token', pattern: 'CORP-[A-Z0-9]{12}' },
      { name: 'internal-id', pattern: 'internal_id=(?<secret>[0-9a-f]{16})' },
      { name: 'badge', pattern: 'badge-[a-z]{4}-\\d{4}', flags: 'i' },
    ],
  });
  const { text, notes } = r.redactText('use CORP-ABCDEF123456 with internal_id=0123456789abcdef and BADGE-Abcd-1234', 'tool_input.command');
  assert.deepEqual(notes.map((n) => n.rule), ['corp-token', 'internal-id', 'badge']);
  assert.match(text, /^use \[REDACTED:corp-token:[0-9a-f]{8}\] with internal_id=\[REDACTED:internal-id:[0-9a-f]{8}\] and \[REDACTED:badge:[0-9a-f]{8}\]$/);
  assert.equal(r.mayMatch(JSON.stringify({ a: 'use CORP-ABCDEF123456' })), true);
  assert.equal(r.mayMatch(JSON.stringify({ a: 'use badge-abcd-1234' })), true);
});

/** Patterns refused, by class, several variants each: what the check guarantees against. */
const REFUSED: Record<string, string[]> = {
  'nested repetition': ['(a+)+', '(?:a*)*b', '(\\w+\\s?)+$', '(x{2,3}){5}', '(?:[a-z]+-)+x'],
  'alternation under a repetition': ['(a|ab)*c', '(?:a|a)+', '(foo|bar){2,}', '(?:(a)|b)+'],
  'adjacent repetitions over the same characters': ['\\d+\\d*', '.*.*=', '\\w+_?\\w+', 'a.*b.*c', '[a-z]+[a-f0-9]+x', '\\s*\\S*\\s*x', 'x(?:ab)?a*(?:ba)*'],
  backreference: ['(a)\\1', '(?<q>["\'])\\w+\\k<q>', '(x)(y)\\2'],
  lookaround: ['a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b'],
  'count above 1000': ['a{1001}', 'a{2,5000}', 'x{0,99999999999999999999}'],
  'too many ways through the alternatives': ['(a|b)(c|d)(e|f)(g|h)(i|j)', '(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q)'],
  'too much repetition per position': ['[a-z]{1,300}@[0-9]{1,300}x', 'x[a-z]+y[0-9]+z[A-Z]+w', '(?:abcd){200}x'],
  'invalid regular expression': ['(', '[a-', 'a{2,1}', '\\'],
};

test('refused patterns are left out and named with the reason; the other patterns still apply', () => {
  for (const [kind, patterns] of Object.entries(REFUSED)) {
    for (const pattern of patterns) {
      const { redactor, problems } = compileRedactor({ patterns: [{ name: 'ok', pattern: 'OKAY-[0-9]{4}' }, { name: 'bad', pattern }] }, HASH_KEY);
      assert.equal(problems.length, 1, `${kind}: ${pattern} → ${JSON.stringify(problems)}`);
      assert.match(problems[0] ?? '', /^logbook\.redaction\.patterns\[1\] \(bad\): /, `${kind}: ${pattern}`);
      assert.deepEqual(redactor.redactText('OKAY-1234').notes.map((n) => n.rule), ['ok'], `${kind}: ${pattern}`);
    }
  }
});

test('names, flags, length and count of user patterns are checked, each problem named by index', () => {
  const patterns = [
    { name: 'jwt', pattern: 'x1' }, { name: '9lives', pattern: 'x2' }, { name: 'dup', pattern: 'x3' }, { name: 'dup', pattern: 'x4' },
    { name: 'flags', pattern: 'x5', flags: 'g' }, { name: 'flags2', pattern: 'x6', flags: 'ii' }, { name: 'long', pattern: 'x'.repeat(501) }, { name: 'empty', pattern: '' },
  ];
  const { problems } = compileRedactor({ patterns }, HASH_KEY);
  assert.deepEqual(problems.map((p) => p.replace(/:.*/, '')), [0, 1, 3, 4, 5, 6, 7].map((i) => `logbook.redaction.patterns[${i}]`));
  assert.match(problems[0] ?? '', /built-in detector's id/);
  assert.match(problems[2] ?? '', /used twice/);
  const many = Array.from({ length: MAX_USER_PATTERNS + 3 }, (_, i) => ({ name: `p${i}`, pattern: `tok${i}-[0-9]{3}` }));
  assert.deepEqual(compileRedactor({ patterns: many }, HASH_KEY).problems, ['logbook.redaction.patterns[20…22]: left out, at most 20 patterns are used']);
  // A hostile list of a million entries gives one problem per setting, not a million.
  const flood = compileRedactor({ patterns: Array.from({ length: 1e6 }, () => ({ name: 'a', pattern: 'b' })), disabled: Array.from({ length: 1e6 }, () => 'jwt'), paths: Array.from({ length: 1e6 }, () => '**/.env') }, HASH_KEY);
  assert.equal(flood.problems.length, 3 + 19, flood.problems.slice(0, 5).join('\n'));
});

test('the safety rewrite keeps what a pattern matches: unbounded repetition capped inside, kept at the end, a leading run anchored at its start', () => {
  const cases: [string, string, string[]][] = [
    ['[a-z]+@corp\\.com', 'mail ann@corp.com and bo@corp.com, not x@corp.org', ['ann@corp.com', 'bo@corp.com']],
    ['.*secret', 'line one\nmy secret here\nno', ['my secret']],
    ['tok_[a-z0-9]+', 'a tok_abc123 b tok_9', ['tok_abc123', 'tok_9']],
    ['key-[A-Z]+-[0-9]{2}', 'key-ABC-12 key-ABCDEFGHIJ-99', ['key-ABC-12', 'key-ABCDEFGHIJ-99']],
    ['\\d+ apples', '12 apples, 7 apples', ['12 apples', '7 apples']],
  ];
  for (const [pattern, text, expected] of cases) {
    const safe = checkPatternSafety(pattern, PLAIN);
    const matches = [...text.matchAll(new RegExp(safe.source, 'g'))].map((m) => m[0]);
    assert.deepEqual(matches, expected, `${pattern} → ${safe.source}`);
    assert.deepEqual([...text.matchAll(new RegExp(pattern, 'g'))].map((m) => m[0]), expected, pattern);
  }
  assert.equal(checkPatternSafety('[a-z]+@corp\\.com', PLAIN).source, '(?<![a-z])[a-z]+@corp\\.com');
  assert.equal(checkPatternSafety('x[a-z]*y', PLAIN).source, 'x[a-z]{0,256}y');
  assert.equal(checkPatternSafety('x[a-z]*', PLAIN).source, 'x[a-z]*');
});

test('a leading repetition over a megabyte-long run of its own characters finishes: the anchored pattern starts once per run', () => {
  const r = redactorWith({ patterns: [{ name: 'mail', pattern: '[a-z]+@corp\\.com' }, { name: 'line', pattern: '.*secret' }] });
  const text = `${'a'.repeat(1_000_000)}!${'b'.repeat(1_000_000)}`;
  assert.deepEqual(r.redactText(text).notes, []);
  assert.deepEqual(r.redactText(`${'a'.repeat(1_000_000)}@corp.com`).notes.map((n) => n.rule), ['mail']);
});

test('mayMatch uses a user pattern\'s required literal, and treats a pattern without one as matching anything', () => {
  const withLiteral = redactorWith({ patterns: [{ name: 'corp', pattern: 'CORP-[0-9]{6}' }], disabled: ['url-credentials'], paths: [] });
  assert.equal(withLiteral.mayMatch('{"a":"nothing here"}'), false);
  assert.equal(withLiteral.mayMatch('{"a":"x CORP-123456"}'), true);
  const noLiteral = redactorWith({ patterns: [{ name: 'digits', pattern: '[0-9]{12}' }], paths: [] });
  assert.equal(noLiteral.mayMatch('{"a":"nothing here"}'), true);
  const foldingUnicode = redactorWith({ patterns: [{ name: 'kelvin', pattern: 'skate', flags: 'iu' }], paths: [] });
  // With i and u, "ſkate" (long s) matches /skate/iu: no literal trigger can be trusted.
  assert.equal(foldingUnicode.redactText('ſkate').notes.length, 1);
  assert.equal(foldingUnicode.mayMatch(JSON.stringify({ a: 'ſkate' })), true);
});

test('settings of the wrong shape are named and ignored; the built-in paths then apply', () => {
  const { settings, problems } = parseRedactionSettings({ patterns: [{ name: 'a', pattern: 'b' }, { name: 3 }], disabled: 'jwt', paths: undefined });
  assert.deepEqual(settings, { patterns: undefined, disabled: undefined, paths: undefined });
  assert.equal(problems.length, 2);
  assert.match(problems[0] ?? '', /^logbook\.redaction\.patterns\[1\]\.name: .*ignored$/);
  assert.match(problems[1] ?? '', /^logbook\.redaction\.disabled: /);
  const good = parseRedactionSettings({ patterns: [{ name: 'a', pattern: 'b', flags: 'i' }], disabled: ['jwt'], paths: ['**/.env'] });
  assert.deepEqual(good, { settings: { patterns: [{ name: 'a', pattern: 'b', flags: 'i' }], disabled: ['jwt'], paths: ['**/.env'] }, problems: [] });
});
