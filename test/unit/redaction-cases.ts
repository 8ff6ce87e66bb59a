import { compileRedactor } from '../../src/domain/redaction/redactor';
import type { RedactionSettings, Redactor } from '../../src/domain/redaction/types';

// Fake secrets for the redaction tests, made from a seeded generator at run time: no key format
// is written out in this file (a secret scanner reading the repository has nothing to flag), and
// every run tests the same values.

import { seeded } from './seeded';

export { seeded };

export const HASH_KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) % 256);

export function redactorWith(settings: RedactionSettings = {}): Redactor {
  const { redactor, problems } = compileRedactor(settings, HASH_KEY);
  if (problems.length > 0) throw new Error(`unexpected problems: ${problems.join('; ')}`);
  return redactor;
}


const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
export const ALNUM = UPPER + LOWER + DIGITS;
const B64URL = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;
const BASE32 = `${UPPER}234567`;

export function randomText(random: () => number, length: number, alphabet: string): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/** Random, with at least one upper, lower and digit at the front (real keys mix them). */
function mixedText(random: () => number, length: number, alphabet: string): string {
  return `Q7x${randomText(random, length - 3, alphabet)}`;
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

export interface SecretCase {
  readonly detector: string;
  /** What is written in the text: the secret with whatever context its detector needs. */
  readonly snippet: string;
  /** A piece of the secret that must not survive (alphanumeric, so no escaping changes it). */
  readonly marker: string;
}

function tokenCase(detector: string, secret: string): SecretCase {
  return { detector, snippet: secret, marker: secret.slice(Math.floor(secret.length / 2) - 6, Math.floor(secret.length / 2) + 6) };
}

function pemCase(random: () => number, label: string, newline: string, headers = ''): SecretCase {
  const lines = Array.from({ length: 6 }, () => randomText(random, 64, B64));
  const marker = randomText(random, 16, ALNUM);
  const body = [`${marker}${(lines[0] as string).slice(16)}`, ...lines.slice(1), 'AbCd=='];
  const snippet = [`-----BEGIN ${label}-----`, ...(headers === '' ? [] : [headers, '']), ...body, `-----END ${label}-----`].join(newline);
  return { detector: 'private-key', snippet, marker };
}

function jwtCase(random: () => number, header: object): SecretCase {
  const payload = b64url(JSON.stringify({ sub: randomText(random, 10, DIGITS), name: 'Ada', iat: 1516239022 }));
  const signature = randomText(random, 43, ALNUM);
  return { detector: 'jwt', snippet: `${b64url(JSON.stringify(header))}.${payload}.${signature}`, marker: signature.slice(10, 30) };
}

function assignmentCases(random: () => number): SecretCase[] {
  const value = (): string => `${randomText(random, 6, ALNUM)}!${randomText(random, 8, ALNUM)}`;
  const forms = [
    (v: string) => `password=${v}`, (v: string) => `PASSWORD=${v}`, (v: string) => `"password": "${v}"`, (v: string) => `passwd: ${v}`,
    (v: string) => `--password ${v}`, (v: string) => `--password=${v}`, (v: string) => `token=${v}`, (v: string) => `client_secret=${v}`,
    (v: string) => `api_key = '${v}'`, (v: string) => `apikey: ${v}`, (v: string) => `"access_token":"${v}"`, (v: string) => `Authorization: Bearer ${v}`,
    (v: string) => `export DB_PASSWORD='${v}'`, (v: string) => `secret: "${v}"`, (v: string) => `MYSQL_PWD=${v}`, (v: string) => `"apiKey": "${v}"`,
    (v: string) => `spring.datasource.password=${v}`, (v: string) => `Authorization: Basic ${Buffer.from(`user:${v}`).toString('base64')}`,
  ];
  return forms.map((form) => {
    const v = value();
    const snippet = form(v);
    const marker = snippet.includes('Basic ') ? Buffer.from(`user:${v}`).toString('base64').slice(4, 16) : v.slice(7);
    return { detector: 'password-assignment', snippet, marker };
  });
}

/** Several true positives per detector, each as its own case. */
export function secretCases(seed = 1): SecretCase[] {
  const r = seeded(seed);
  const contextCase = (detector: string, value: string, form: (v: string) => string): SecretCase => ({ detector, snippet: form(value), marker: value.replace(/[^A-Za-z0-9]/g, '').slice(3, 15) });
  const awsCase = (form: (v: string) => string): SecretCase => contextCase('aws-secret-access-key', mixedText(r, 40, B64), form);
  const urlCase = (length: number, form: (v: string) => string): SecretCase => contextCase('url-credentials', mixedText(r, length, ALNUM), form);
  return [
    tokenCase('anthropic-api-key', `sk-ant-api03-${mixedText(r, 93, B64URL)}AA`),
    tokenCase('anthropic-api-key', `sk-ant-admin01-${mixedText(r, 93, B64URL)}AA`),
    tokenCase('openai-api-key', `sk-proj-${mixedText(r, 156, B64URL)}`),
    tokenCase('openai-api-key', `sk-${mixedText(r, 20, ALNUM)}T3BlbkFJ${randomText(r, 20, ALNUM)}`),
    tokenCase('openai-api-key', `sk-svcacct-${mixedText(r, 120, B64URL)}`),
    tokenCase('aws-access-key-id', `AKIA${randomText(r, 12, BASE32)}Q7ZK`),
    tokenCase('aws-access-key-id', `ASIA${randomText(r, 12, BASE32)}M2XP`),
    awsCase((v) => `AWS_SECRET_ACCESS_KEY=${v}`),
    awsCase((v) => `aws_secret_access_key = ${v}`),
    awsCase((v) => `"SecretAccessKey": "${v}"`),
    tokenCase('github-token', `ghp_${mixedText(r, 36, ALNUM)}`),
    tokenCase('github-token', `gho_${mixedText(r, 36, ALNUM)}`),
    tokenCase('github-token', `ghs_${mixedText(r, 36, ALNUM)}`),
    tokenCase('github-token', `github_pat_${mixedText(r, 22, ALNUM)}_${randomText(r, 59, ALNUM)}`),
    tokenCase('gitlab-token', `glpat-${mixedText(r, 20, `${ALNUM}_-`)}`),
    tokenCase('gitlab-token', `gldt-${mixedText(r, 24, ALNUM)}`),
    tokenCase('slack-token', `xoxb-${randomText(r, 12, DIGITS)}-${randomText(r, 13, DIGITS)}-${mixedText(r, 24, ALNUM)}`),
    tokenCase('slack-token', `xoxp-${randomText(r, 12, DIGITS)}-${randomText(r, 12, DIGITS)}-${randomText(r, 13, DIGITS)}-${mixedText(r, 32, 'abcdef0123456789')}`),
    tokenCase('slack-token', `xapp-1-A${randomText(r, 10, UPPER + DIGITS)}-${randomText(r, 13, DIGITS)}-${mixedText(r, 64, 'abcdef0123456789')}`),
    tokenCase('slack-webhook', `https://hooks.slack.com/services/T${randomText(r, 8, UPPER + DIGITS)}/B${randomText(r, 8, UPPER + DIGITS)}/${mixedText(r, 24, ALNUM)}`),
    tokenCase('stripe-key', `sk_live_${mixedText(r, 24, ALNUM)}`),
    tokenCase('stripe-key', `rk_test_${mixedText(r, 32, ALNUM)}`),
    tokenCase('stripe-key', `whsec_${mixedText(r, 32, ALNUM)}`),
    tokenCase('google-api-key', `AIza${mixedText(r, 35, B64URL)}`),
    tokenCase('google-api-key', `GOCSPX-${mixedText(r, 28, B64URL)}`),
    tokenCase('google-api-key', `ya29.${mixedText(r, 80, B64URL)}`),
    pemCase(r, 'RSA PRIVATE KEY', '\n'),
    pemCase(r, 'PRIVATE KEY', '\\n'),
    pemCase(r, 'OPENSSH PRIVATE KEY', '\r\n'),
    pemCase(r, 'EC PRIVATE KEY', '\n', 'Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF'),
    pemCase(r, 'PGP PRIVATE KEY BLOCK', '\n'),
    jwtCase(r, { alg: 'HS256', typ: 'JWT' }),
    jwtCase(r, { typ: 'JWT', alg: 'RS256', kid: 'k1' }),
    urlCase(14, (v) => `postgres://admin:${v}@db.internal:5432/app`),
    urlCase(20, (v) => `https://deploy:${v}@git.example.com/org/repo.git`),
    urlCase(16, (v) => `redis://:${v}@cache:6379/0`),
    ...assignmentCases(r),
  ];
}

/** Where a secret shows up in a real event: each returns a hook payload holding `snippet`. */
export const CONTEXTS: Record<string, (snippet: string) => Record<string, unknown>> = {
  'a Bash command': (s) => ({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `cd /w && run --config ${s} | tee out.log`, description: 'Run' } }),
  "a Write's content": (s) => ({ hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: '/w/src/settings.txt', content: `# settings\n${s}\n# end\n` } }),
  'a tool response': (s) => ({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'cat settings' }, tool_response: { stdout: `loaded\n${s}\ndone`, stderr: '' } }),
  'a JSON-escaped string inside a command': (s) => ({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: `echo ${JSON.stringify(JSON.stringify({ config: { value: s } }))} > c.json` } }),
  'the start of a string': (s) => ({ tool_input: { command: `${s} && echo ok` } }),
  'the end of a string': (s) => ({ tool_response: { stdout: `the value is ${s}` } }),
  'a whole string': (s) => ({ tool_response: { output: s } }),
};
