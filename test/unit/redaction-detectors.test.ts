import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { visitJsonLeaves } from '../../src/domain/json-walk';
import { BUILTIN_DETECTOR_IDS } from '../../src/domain/redaction/detectors';
import { ALNUM, CONTEXTS, randomText, redactorWith, secretCases, seeded } from './redaction-cases';

const redactor = redactorWith();

function leaves(value: unknown): string[] {
  const strings: string[] = [];
  visitJsonLeaves(value, (leaf) => {
    if (typeof leaf === 'string') strings.push(leaf);
    return true;
  });
  return strings;
}

test('every built-in detector redacts its secrets in a command, a file content, a tool response, a JSON-escaped string, and at the start, end or whole of a string', () => {
  const covered = new Set<string>();
  for (const c of secretCases()) {
    for (const [where, context] of Object.entries(CONTEXTS)) {
      const event = context(c.snippet);
      const label = `${c.detector} in ${where}: ${c.snippet.slice(0, 60)}`;
      const { value, notes } = redactor.redactValue(event);
      assert.ok(notes.some((note) => note.rule === c.detector), `${label}: notes ${JSON.stringify(notes)}`);
      for (const leaf of leaves(value)) assert.ok(!leaf.includes(c.marker), `${label}: "${c.marker}" is still in ${JSON.stringify(leaf.slice(0, 300))}`);
      assert.ok(JSON.stringify(value).includes(`[REDACTED:${c.detector}:`), label);
      assert.equal(redactor.mayMatch(JSON.stringify(event)), true, `${label}: mayMatch`);
      covered.add(c.detector);
    }
  }
  assert.deepEqual([...covered].sort(), [...BUILTIN_DETECTOR_IDS].sort());
});

test('a note names the rule, the JSON path and a 16-hex keyed hash, and the placeholder carries its first 8 digits', () => {
  const token = `ghp_Q7x${randomText(seeded(5), 33, ALNUM)}`;
  const { value, notes } = redactor.redactValue({ tool_input: { edits: [{ old_string: 'a', new_string: `const t = "${token}";` }] } });
  assert.equal(notes.length, 1);
  const note = notes[0];
  assert.equal(note?.rule, 'github-token');
  assert.equal(note?.path, 'tool_input.edits[0].new_string');
  assert.match(note?.hash ?? '', /^[0-9a-f]{16}$/);
  assert.deepEqual(value, { tool_input: { edits: [{ old_string: 'a', new_string: `const t = "[REDACTED:github-token:${note?.hash.slice(0, 8)}]";` }] } });
});

test('identical secrets get identical hashes in any event and field; different secrets get different ones', () => {
  const random = seeded(9);
  const a = `sk_live_Q7x${randomText(random, 24, ALNUM)}`;
  const b = `sk_live_Q7x${randomText(random, 24, ALNUM)}`;
  const first = redactor.redactValue({ tool_input: { command: `pay --key ${a}` } }).notes;
  const second = redactor.redactValue({ tool_response: { stdout: `key: ${a}\nother: ${b}` } }).notes;
  assert.equal(first[0]?.hash, second[0]?.hash);
  assert.notEqual(second[0]?.hash, second[1]?.hash);
  // Same rule, same value through a different detector context: the hash is of the value only.
  const p1 = redactor.redactText('password=Tr0ub4dor&3').notes[0]?.hash;
  const p2 = redactor.redactText('"password": "Tr0ub4dor"').notes[0]?.hash;
  const p3 = redactor.redactText('PASSWORD=Tr0ub4dor').notes[0]?.hash;
  assert.notEqual(p1, undefined);
  assert.equal(p1, p2);
  assert.equal(p2, p3);
});

test('several secrets in one string each get a placeholder and a note, in text order', () => {
  const cases = secretCases(3).filter((c) => !c.snippet.includes('\n'));
  for (let i = 0; i + 2 < cases.length; i += 3) {
    const group = cases.slice(i, i + 3);
    const text = group.map((c) => c.snippet).join(' ; ');
    const { text: redacted, notes } = redactor.redactText(text, 'tool_input.command');
    assert.deepEqual(notes.map((n) => n.rule), group.map((c) => c.detector), text);
    assert.ok(notes.every((n) => n.path === 'tool_input.command'));
    for (const c of group) assert.ok(!redacted.includes(c.marker), `${c.detector} left in ${redacted}`);
    assert.equal(redacted.split(' ; ').length, 3, redacted);
  }
});

test('a string under a secret-holding key is replaced whole; stand-ins under such keys are kept', () => {
  const value = {
    tool_input: {
      api_key: 'a1b2c3d4e5', password: 'hunter2!', env: { DB_PASSWORD: 'Pa55word', GITHUB_TOKEN: 'tok3n-value' },
      headers: { Authorization: 'Bearer abc.def.ghi123' }, clientSecret: 'cs-9f8e7d',
      kept: { password: '${DB_PASSWORD}', token: '', api_key: '<your-api-key>', secret: '***', max_tokens: '4096', password_hash: 'x1' },
    },
  };
  const { value: redacted, notes } = redactor.redactValue(value);
  assert.deepEqual(notes.map((n) => n.path), [
    'tool_input.api_key', 'tool_input.password', 'tool_input.env.DB_PASSWORD', 'tool_input.env.GITHUB_TOKEN',
    'tool_input.headers.Authorization', 'tool_input.clientSecret',
  ]);
  assert.deepEqual((redacted as typeof value).tool_input.kept, value.tool_input.kept);
});

test('an AWS secret access key is only recognised by its name: the same 40 characters alone are kept', () => {
  const secret = `Q7x${randomText(seeded(11), 37, `${ALNUM}+/`)}`;
  assert.equal(redactor.redactText(`aws_secret_access_key=${secret}`).notes[0]?.rule, 'aws-secret-access-key');
  assert.equal(redactor.redactValue({ SecretAccessKey: secret }).notes[0]?.rule, 'aws-secret-access-key');
  assert.deepEqual(redactor.redactText(`checksum ${secret}`).notes, []);
});

/** Strings that look a little like secrets and are not. */
function falsePositives(): string[] {
  const random = seeded(21);
  const hex = (n: number): string => randomText(random, n, '0123456789abcdef');
  const b64 = (n: number): string => Buffer.from(randomText(random, n, ALNUM)).toString('base64');
  const png = `data:image/png;base64,${Buffer.from(Array.from({ length: 75_000 }, () => Math.floor(random() * 256))).toString('base64')}`;
  return [
    `commit ${hex(40)}`, `git checkout ${hex(7)} && git log ${hex(12)}`, `sha256: ${hex(64)}`, `sha512 ${hex(128)}`,
    '4b1ffb86-03bc-4881-8ec2-3bc2cf43ffba', '0190a5f3-7c1e-7b2a-9d3e-1234567890ab', `id=${hex(8)}-${hex(4)}-7${hex(3)}-a${hex(3)}-${hex(12)}`,
    png, `<img src="data:image/jpeg;base64,${b64(3000)}">`,
    `"integrity": "sha512-${b64(48)}"`, `"integrity": "sha1-${b64(15)}"`, `checksum: 10c0/${hex(128)}`, `"resolved": "https://registry.npmjs.org/zod/-/zod-4.6.7.tgz"`,
    'color: #ff00aa; background: #abcdef; border-color: #123',
    'function(e,t){var n=e.key,r=t.token;return{password:n.password,token:r,apiKey:void 0,secret:e}}',
    '!function(){"use strict";var e={key:"value",token:n,password:t.password};window.x=e}();',
    'password=', 'password= # empty', 'password=${PASSWORD}', 'PASSWORD=$PASSWORD', 'password=***', 'password=<password>', 'password: "{{ secrets.DB_PASSWORD }}"',
    'password: string;', 'password?: string', 'password: z.string().min(8)', 'token: Token', 'const password = req.body.password;',
    'password = getPassword();', 'login(password=password)', 'token=None', 'api_key=os.environ["API_KEY"]', '"password": ""', '--password "$DB_PASSWORD"',
    'max_tokens=4096', 'next_page_token: abc123', 'if password == "x":', 'password: process.env.DB_PASSWORD', 'secret: xxxxxxxx', 'api_key: your-api-key-here',
    'Use a Bearer token in the Authorization header', 'Authorization: Bearer ${TOKEN}', 'Authorization: Bearer <token>',
    'postgres://user:password@localhost/db', 'https://user@example.com/path', 'git@github.com:org/repo.git', 'http://localhost:8080/a:b@c', 'redis://:${REDIS_PASSWORD}@cache:6379',
    'pip install scikit-learn; sk-learn-style names; task-ant-colony', 'xoxo-hugs-and-kisses', 'AKIAXXXXXXXXXXXXXXXX', 'ghp_short', 'eyJhbGciOi is a prefix',
    'print("Password: " + pw)', 'prompt("Enter password:", default="x")', 'console.log("token: " + token)', 'logger.info(f"Using token: {token}")',
    'def login(username, password):', 'password = input("Password: ")', 'const token = jwt.sign(payload, secret);', 'throw new Error("password: required")',
    'All tests pass: 42 ok', 'pwd: /home/dev/project', 'bypass=true', 'the keyboard key: Enter', 'Token count: 1234',
    `-----BEGIN CERTIFICATE-----\n${b64(300)}\n-----END CERTIFICATE-----`, `-----BEGIN PUBLIC KEY-----\n${b64(200)}\n-----END PUBLIC KEY-----`,
  ];
}

test('strings that only resemble secrets are kept: hashes, UUIDs, base64 images, integrity strings, CSS, minified JS, stand-ins after password=', () => {
  for (const text of falsePositives()) {
    for (const [where, context] of Object.entries(CONTEXTS)) {
      const event = context(text);
      const { value, notes } = redactor.redactValue(event);
      assert.deepEqual(notes, [], `${where}: ${text.slice(0, 120)} → ${JSON.stringify(notes)}`);
      assert.equal(value, event, `${where}: the same object back`);
    }
  }
});

test('the real captured payloads (test/fixtures) pass through unchanged', () => {
  const root = join(__dirname, '..', 'fixtures');
  const payloads: unknown[] = [];
  for (const line of readFileSync(join(root, 'full-session.hooks.jsonl'), 'utf8').trim().split('\n')) payloads.push((JSON.parse(line) as { payload: unknown }).payload);
  const examples = JSON.parse(readFileSync(join(root, 'hook-examples.json'), 'utf8')) as Record<string, { payload: unknown }>;
  payloads.push(...Object.values(examples).map((e) => e.payload));
  for (const file of ['full-session.transcript.jsonl', 'full-session.subagent-transcript.jsonl', 'full-session.api-requests.jsonl']) {
    for (const line of readFileSync(join(root, file), 'utf8').trim().split('\n')) payloads.push(JSON.parse(line));
  }
  assert.ok(payloads.length > 100);
  for (const payload of payloads) {
    const { value, notes } = redactor.redactValue(payload);
    assert.deepEqual(notes, [], JSON.stringify(payload).slice(0, 300));
    assert.equal(value, payload);
  }
});
