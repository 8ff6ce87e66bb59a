import { createHash } from 'node:crypto';
import { seeded } from '../test/unit/seeded';

// Payloads for the redaction bench beyond the captured fixture: one full of strings that look a
// little like secrets and are not (what a lockfile, a build log or a screenshot brings), and one
// holding real-looking secrets. Made from a seeded generator so every run measures the same bytes.


const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function text(random: () => number, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function hex(random: () => number, length: number): string {
  return text(random, length, '0123456789abcdef');
}

function uuid(random: () => number, version: string): string {
  return `${hex(random, 8)}-${hex(random, 4)}-${version}${hex(random, 3)}-a${hex(random, 3)}-${hex(random, 12)}`;
}

function base64(random: () => number, bytes: number): string {
  return Buffer.from(Uint8Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');
}

/** A PostToolUse(Read) of a lockfile, a build log and a screenshot: ~150 KB of false-positive candidates. */
export function falsePositivePayload(): string {
  const random = seeded(7);
  const lock = Array.from({ length: 150 }, (_, i) => ({
    [`node_modules/pkg-${i}`]: {
      version: `1.${i}.0`, resolved: `https://registry.npmjs.org/pkg-${i}/-/pkg-${i}-1.${i}.0.tgz`,
      integrity: `sha512-${createHash('sha512').update(String(i)).digest('base64')}`,
    },
  }));
  const log = Array.from({ length: 120 }, (_, i) => `${hex(random, 40)} ${uuid(random, i % 2 === 0 ? '4' : '7')} sha256:${hex(random, 64)} build ok`).join('\n');
  const minified = Array.from({ length: 60 }, (_, i) => `function a${i}(e,t){var n=e.key,r=t.token;return{password:n.password,token:r,id:"${hex(random, 24)}",color:"#${hex(random, 6)}"}}`).join(';');
  return JSON.stringify({
    session_id: uuid(random, '4'), hook_event_name: 'PostToolUse', tool_name: 'Read', tool_use_id: `toolu_${text(random, 24, ALNUM)}`,
    tool_input: { file_path: '/home/dev/app/package-lock.json' },
    tool_response: {
      type: 'text',
      file: { filePath: '/home/dev/app/package-lock.json', content: JSON.stringify({ lockfileVersion: 3, packages: lock }, null, 2) },
      log, minified, screenshot: `data:image/png;base64,${base64(random, 75_000)}`,
    },
  });
}

/** Bash commands and outputs holding one secret of each common kind. */
export function secretPayloads(): string[] {
  const random = seeded(11);
  const mixed = (n: number, alphabet = ALNUM): string => `Q7x${text(random, n - 3, alphabet)}`;
  const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890"}').toString('base64url')}.${mixed(43)}`;
  const pem = ['-----BEGIN RSA PRIVATE KEY-----', ...Array.from({ length: 12 }, () => text(random, 64, `${ALNUM}+/`)), '-----END RSA PRIVATE KEY-----'].join('\n');
  const commands = [
    `export ANTHROPIC_API_KEY=${['sk', 'ant', 'api03', mixed(93)].join('-')}AA && claude -p hi`,
    `aws configure set aws_access_key_id ${'AKIA'}${text(random, 12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}Q7ZK && aws configure set aws_secret_access_key ${mixed(40, `${ALNUM}+/`)}`,
    `git remote set-url origin https://x-access-token:${'ghp'}_${mixed(36)}@github.com/org/repo.git`,
    `curl -H "Authorization: Bearer ${jwt}" https://api.example.com/v1/me`,
    `psql postgres://admin:${mixed(16)}@db.internal:5432/app -c 'select 1'`,
    `echo "${pem.replace(/\n/g, '\\n')}" > key.pem`,
  ];
  return commands.map((command, i) => JSON.stringify({
    session_id: uuid(random, '4'), hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: `toolu_${i}`,
    tool_input: { command, description: 'Configure credentials' },
    tool_response: { stdout: `done\nDB_PASSWORD=${mixed(14)}\nSLACK=${'xoxb'}-${text(random, 12, '0123456789')}-${text(random, 13, '0123456789')}-${mixed(24)}`, stderr: '' },
  }));
}
