import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringifyJson } from '../../src/domain/json-walk';
import { compileRedactor, MAX_NOTES } from '../../src/domain/redaction/redactor';
import type { Redactor } from '../../src/domain/redaction/types';
import { ALNUM, CONTEXTS, HASH_KEY, randomText, redactorWith, secretCases, seeded } from './redaction-cases';

const redactor = redactorWith();

/** JSON text with some characters of its strings written as \uXXXX escapes (and / as \/), as other encoders do. */
function escapeSome(json: string, random: () => number, share: number): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const c = json[i] as string;
    if (inString && c === '\\') {
      out += c + (json[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (c === '"') inString = !inString;
    if (inString && c !== '"' && random() < share) out += c === '/' && random() < 0.5 ? '\\/' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return out;
}

test('mayMatch is never false where redaction changes something: every true positive, plain and with \\u escapes', () => {
  const random = seeded(2);
  for (const c of secretCases(7)) {
    for (const context of Object.values(CONTEXTS)) {
      const event = context(c.snippet);
      for (const text of [JSON.stringify(event), escapeSome(JSON.stringify(event), random, 0.3), escapeSome(JSON.stringify(event), random, 1)]) {
        const parsed: unknown = JSON.parse(text);
        assert.notEqual(redactor.redactValue(parsed).value, parsed, `${c.detector}: ${text.slice(0, 100)}`);
        assert.equal(redactor.mayMatch(text), true, `${c.detector}: ${text.slice(0, 200)}`);
      }
    }
  }
});

/** A random event: nested objects and arrays, keys from a pool with secret-holding names, strings of mixed fragments. */
function randomEvent(random: () => number, fragments: readonly string[]): unknown {
  const keys = ['command', 'content', 'stdout', 'password', 'api_key', 'file_path', 'path', 'token', 'note', 'Authorization', 'x', 'edits', 'old_string'];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const text = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
    const fragment = pick(fragments);
    // A piece of a fragment as often as a whole one: near-misses.
    return random() < 0.5 ? fragment : fragment.slice(Math.floor(random() * fragment.length / 2), Math.floor(fragment.length / 2 + random() * fragment.length / 2));
  }).join(pick([' ', '', '\n', '=', ': ', '"', '\\n']));
  const node = (depth: number): unknown => {
    const r = random();
    if (depth > 3 || r < 0.4) return text();
    if (r < 0.55) return Array.from({ length: Math.floor(random() * 3) }, () => node(depth + 1));
    return Object.fromEntries(Array.from({ length: 1 + Math.floor(random() * 3) }, () => [pick(keys), node(depth + 1)]));
  };
  return { hook_event_name: 'PostToolUse', tool_input: node(0), tool_response: node(1) };
}

test('mayMatch is never false where redaction changes something: 3,000 seeded random events, with built-in, user and path rules', () => {
  const fragments = [
    ...secretCases(11).map((c) => c.snippet), 'password', '${PASSWORD}', 'Bearer ', 'sk-', 'AKIA', 'eyJ', '://', '@', 'ghp_', 'xoxb-', '-----BEGIN ',
    'PRIVATE KEY-----', 'hello world', 'INTERNAL-', '0123456789abcdef0123456789abcdef', 'acct_', 'Acct_', '/home/dev/.env', 'C:\\work\\secrets\\a.txt', '.pem',
    '[REDACTED:jwt:0123abcd]', randomText(seeded(4), 40, ALNUM),
  ];
  const rules = [
    redactor,
    redactorWith({ patterns: [{ name: 'internal', pattern: 'INTERNAL-[0-9a-f]{8,32}' }, { name: 'acct', pattern: 'acct_[a-z0-9]{4,}', flags: 'i' }], paths: ['**/.env', 'secrets/**', '**/*.pem'] }),
  ];
  const random = seeded(99);
  let changed = 0;
  let skipped = 0;
  for (let i = 0; i < 3000; i += 1) {
    const event = randomEvent(random, fragments);
    const texts = [JSON.stringify(event), escapeSome(JSON.stringify(event), random, 0.2)];
    for (const r of rules) {
      const result = r.redactValue(event);
      if (result.value === event) {
        if (!r.mayMatch(texts[0] as string)) skipped += 1;
        continue;
      }
      changed += 1;
      for (const text of texts) assert.equal(r.mayMatch(text), true, `seed event ${i}: ${text.slice(0, 300)}`);
    }
  }
  // The test means something only if both outcomes occur often.
  assert.ok(changed > 1000, `changed ${changed}`);
  assert.ok(skipped > 100, `skipped ${skipped}`);
});

test('a secret spelled with \\u escapes in the JSON text is caught by the value walk and by mayMatch', () => {
  const key = `AKIA${randomText(seeded(6), 12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}Q7ZK`;
  const texts = [
    `{"tool_input":{"command":"\\u0041${key.slice(1)}"}}`,
    `{"tool_input":{"command":"${key.slice(0, 3)}\\u${key.charCodeAt(3).toString(16).padStart(4, '0')}${key.slice(4)}"}}`,
    `{"tool_input":{"\\u0070assword":"hunter2!"}}`,
    `{"tool_response":{"stdout":"postgres:\\/\\/u:s3cretpw@db\\/app"}}`,
  ];
  for (const text of texts) {
    assert.equal(redactor.mayMatch(text), true, text);
    assert.equal(redactor.redactValue(JSON.parse(text)).notes.length, 1, text);
  }
  // An escaped backslash followed by "u0041" is not an escape: the strings hold "\u0041KIA…", not a key.
  const notAKey = `{"a":"\\\\u0041${key.slice(1)}"}`;
  assert.deepEqual(redactor.redactValue(JSON.parse(notAKey)).notes, []);
});

test('redacting twice changes nothing and adds no note: every true positive, the path rule and user patterns', () => {
  const withUser = redactorWith({ patterns: [{ name: 'word', pattern: 'REDACTED' }, { name: 'brackets', pattern: '\\[[A-Z]+:[a-z-]+' }, { name: 'hexes', pattern: '[0-9a-f]{8}' }] });
  const events: unknown[] = [];
  for (const c of secretCases(13)) for (const context of Object.values(CONTEXTS)) events.push(context(c.snippet));
  events.push({ tool_name: 'Write', tool_input: { file_path: '/w/.env', content: 'A=1' }, tool_response: { filePath: '/w/.env', structuredPatch: [{ lines: ['+A=1'] }] } });
  events.push({ note: 'REDACTED plain word, deadbeef and [ABC:def-ghi' });
  for (const r of [redactor, withUser]) {
    for (const event of events) {
      const once = r.redactValue(event);
      const twice = r.redactValue(once.value);
      assert.equal(twice.value, once.value, JSON.stringify(once.value).slice(0, 200));
      assert.deepEqual(twice.notes, []);
    }
  }
});

test('a megabyte of placeholders with a rule matching inside each is redacted again in one sweep: nothing changes', () => {
  const r = redactorWith({ patterns: [{ name: 'word', pattern: 'REDACTED' }] });
  const letters = (i: number): string => Array.from({ length: 4 }, (_, d) => String.fromCharCode(65 + (Math.floor(i / 26 ** d) % 26))).join('');
  const keys = Array.from({ length: 40_000 }, (_, i) => `AKIA${letters(i)}MNOPQRSTUV23`).join(' ');
  const once = r.redactText(keys);
  assert.equal(once.notes.length + once.notesOmitted, 40_000);
  const twice = r.redactText(once.text);
  assert.equal(twice.text, once.text);
  assert.equal(twice.notes.length + twice.notesOmitted, 0);
});

test('values nested 20,000 levels deep are walked without recursion; the secret at the bottom is redacted with its path', () => {
  const secret = `ghp_Q7x${randomText(seeded(8), 33, ALNUM)}`;
  const arrays = JSON.parse(`${'['.repeat(20_000)}"${secret}"${']'.repeat(20_000)}`) as unknown;
  const objects = JSON.parse(`${'{"a":'.repeat(20_000)}{"password":"hunter2!"}${'}'.repeat(20_000)}`) as unknown;
  const deepArrays = redactor.redactValue(arrays);
  assert.equal(deepArrays.notes[0]?.path, '[0]'.repeat(20_000));
  assert.ok(!stringifyJson(deepArrays.value).includes(secret));
  assert.ok(stringifyJson(deepArrays.value).includes('[REDACTED:github-token:'));
  const deepObjects = redactor.redactValue(objects);
  assert.equal(deepObjects.notes[0]?.path, `${'a.'.repeat(20_000)}password`);
  assert.equal(redactor.mayMatch(`${'['.repeat(20_000)}"${secret}"${']'.repeat(20_000)}`), true);
});

test('10 MB strings do not throw: a secret at the end of a base64 blob is found, and a flood of keys is capped at the note limit', () => {
  const random = seeded(10);
  const blob = Buffer.from(Uint8Array.from({ length: 7_500_000 }, () => Math.floor(random() * 256))).toString('base64');
  const secret = `sk_live_Q7x${randomText(random, 24, ALNUM)}`;
  const found = redactor.redactText(`${blob} ${secret}`, 'tool_response.stdout');
  assert.equal(found.notes.length, 1);
  assert.ok(found.text.endsWith(`[REDACTED:stripe-key:${found.notes[0]?.hash.slice(0, 8)}]`));
  const keys = Array.from({ length: 2000 }, () => `AKIA${randomText(random, 12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}Q7ZK`);
  const flood = `${keys.join(' ')} ${'x'.repeat(10_000_000)}`;
  const capped = redactor.redactValue({ tool_response: { stdout: flood } });
  assert.equal(capped.notes.length, MAX_NOTES);
  assert.equal(capped.notesOmitted, 2000 - MAX_NOTES);
  assert.ok(!JSON.stringify(capped.value).includes('AKIA'));
});

test('redactText names the text by the given path, or by none', () => {
  const text = 'login with password=Tr0ub4dor&3 then go';
  assert.deepEqual(redactor.redactText(text, 'raw stdin').notes.map((n) => n.path), ['raw stdin']);
  assert.deepEqual(redactor.redactText(text).notes.map((n) => n.path), ['']);
  assert.match(redactor.redactText(text).text, /^login with password=\[REDACTED:password-assignment:[0-9a-f]{8}\]&3 then go$/);
});

test('the fingerprint is stable for the same rules, changes with detectors, patterns and paths, and does not depend on the hash key', () => {
  const fingerprint = (settings: Parameters<typeof compileRedactor>[0], key = HASH_KEY): string => compileRedactor(settings, key).redactor.fingerprint;
  const base = fingerprint({});
  assert.match(base, /^v1:[0-9a-f]{16}$/);
  assert.equal(fingerprint({}), base);
  assert.equal(fingerprint({}, new Uint8Array(32)), base);
  const variants = [
    fingerprint({ disabled: ['jwt'] }), fingerprint({ patterns: [{ name: 'x', pattern: 'abc' }] }), fingerprint({ paths: [] }), fingerprint({ paths: ['**/.env'] }),
    fingerprint({ patterns: [{ name: 'x', pattern: 'abc', flags: 'i' }] }),
  ];
  assert.equal(new Set([base, ...variants]).size, variants.length + 1);
  // A refused pattern is not part of the rule set.
  assert.equal(compileRedactor({ patterns: [{ name: 'bad', pattern: '(a+)+' }] }, HASH_KEY).redactor.fingerprint, base);
});

/** Characters every regular expression execution advanced over, summed: the scan's work. */
function scannedBy(run: () => void): number {
  const original = RegExp.prototype.exec;
  let scanned = 0;
  RegExp.prototype.exec = function exec(this: RegExp, input: string): RegExpExecArray | null {
    const from = this.global || this.sticky ? this.lastIndex : 0;
    const match = original.call(this, input);
    const to = match === null ? (this.sticky ? from : input.length) : match.index + match[0].length;
    scanned += Math.max(0, to - from) + 1;
    return match;
  };
  try {
    run();
  } finally {
    RegExp.prototype.exec = original;
  }
  return scanned;
}

/** Near-misses for every detector: prefixes without a key, keys one short or too long, names without values… */
function nearMisses(): string[] {
  const random = seeded(17);
  return [
    'sk-ant-', `sk-ant-${'aB3'.repeat(10)} `, `sk-ant-${'aB3'.repeat(101)}`, 'sk-', `sk-${'a'.repeat(25)} `, 'sk-sk-ant-',
    'AKIA', `AKIA${'A'.repeat(15)} `, 'A3T', `AKIA${'B'.repeat(16)}x`,
    'ghp_', `ghp_${'a'.repeat(35)}_`, 'github_pat_', 'glpat-', `glpat-${'a'.repeat(19)}.`,
    'xoxb-', `xoxb-${'a'.repeat(20)} `, 'hooks.slack.com/services/', 'sk_live_', 'whsec_', 'AIza', `AIza${'a'.repeat(34)} `, 'GOCSPX-', 'ya29.', `ya29.${'a'.repeat(30)}.`,
    'PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----!', '-----BEGIN ', '-----END PRIVATE KEY-----', '-----BEGIN X', `-----BEGIN ${'A '.repeat(30)}PRIVATE KEY-----"`,
    'eyJ', 'eyJhbGciOiJub25lIn0', 'eyJhbGciOiJub25lIn0.', 'eyJa.eyJb.', `eyJ${'a'.repeat(50)}.${'b'.repeat(50)} `, 'eyJeyJ.eyJ',
    '://', 'a://b:c', `x://${'a:'.repeat(10)} `, 'http://u:p', 'h://a:@', `s://u:${'@'.repeat(20)}`, 'h://:${X}@h ',
    'password', 'password=', 'password:password:', 'passwordpassword', `token=${'a'.repeat(5000)} `, 'Authorization: ', 'bearer ', `bearer ${'b'.repeat(7)} `,
    'key', 'pass pass ', 'secret: ${X} ', '--password ', '"password": "', '\\"password\\":\\"', 'api_key=os.environ ', 'DB_PASSWORD==',
    `${'a'.repeat(70)}password=`, 'x'.repeat(100), Buffer.from(randomText(random, 3000, ALNUM)).toString('base64'), randomText(random, 3000, '0123456789abcdef'),
    Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''), ' \n\t',
  ];
}

function repeatTo(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

test('every detector scans a megabyte of near-misses in linear work: bounded characters per character, and 4× the text costs about 4× the work', () => {
  const all: Redactor = redactorWith({ patterns: [{ name: 'corp', pattern: '[a-z]+@corp\\.com' }] });
  const small = 256 * 1024;
  const large = 1024 * 1024;
  const work = (unit: string, length: number): number => {
    const text = repeatTo(unit, length);
    const json = JSON.stringify({ tool_response: { stdout: text } });
    return scannedBy(() => {
      all.mayMatch(json);
      all.redactText(text);
    });
  };
  for (const unit of nearMisses()) {
    const workSmall = work(unit, small);
    const workLarge = work(unit, large);
    const label = JSON.stringify(unit.slice(0, 40));
    assert.ok(workLarge <= 40 * large, `${label}: ${workLarge} characters scanned for ${large}`);
    assert.ok(workLarge <= 6 * workSmall, `${label}: ${workSmall} → ${workLarge} when the text grew 4×`);
  }
});
