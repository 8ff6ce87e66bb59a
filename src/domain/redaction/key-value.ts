import { isAwsSecretValue, looksLikeSecretValue, secretKeyKind } from './key-names';
import type { SecretKeyKind } from './key-names';
import type { Finding, Scanner, Trigger } from './types';

// `password=…`, `"api_key": "…"`, `DB_PASSWORD=…`, `--token …`, `Authorization: Bearer …` in a
// text (a shell command, a file's content, a tool's output, JSON inside a string). Only the value
// is replaced; the name stays readable. The scan is linear: a keyword is searched for, the name
// around it is read once (at most 64 characters back, never before the last thing consumed), the
// separator and the value are bounded runs, and the search resumes after the value.

export const PASSWORD_RULE = 'password-assignment';
export const AWS_SECRET_RULE = 'aws-secret-access-key';

/** Every name the scanner acts on contains one of these (case-insensitive): the mayMatch triggers. */
const KEYWORDS = ['pass', 'pwd', 'secret', 'token', 'key', 'auth', 'bearer'];
const KEYWORD = /pass|pwd|secret|token|key|auth|bearer/gi;
const NAME_CHAR = /[A-Za-z0-9_.-]/;
const NAME_RUN = /[A-Za-z0-9_.-]*/y;
// Closing quotes/brackets of the name, `?` of an optional TS field, then = : := => (not == or =~).
const SEPARATOR = /[\\"'\])]{0,4}\??[ \t]{0,4}(?::=|=>|=(?![=~])|:)[ \t]{0,4}/y;
const FLAG_SEPARATOR = /=|[ \t]{1,4}/y;
const OPEN_QUOTE = /\\{0,7}(["'`])/y;
const AUTH_SCHEME = /(?:basic|bearer|token|digest|negotiate|ntlm|apikey|api-key)[ \t]{1,4}/iy;
const QUOTED: Record<string, RegExp> = { '"': /[^"\\\r\n]{0,4096}/y, "'": /[^'\\\r\n]{0,4096}/y, '`': /[^`\\\r\n$]{0,4096}/y };
const BARE = /[^\s"'`,;&|<>(){}[\]\\]{0,4096}/y;
const BEARER_SPACE = /[ \t]{1,4}/y;
const BEARER_VALUE = /[A-Za-z0-9._~+/-]{0,4096}={0,3}/y;

function runAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

interface Value {
  readonly start: number;
  readonly end: number;
  readonly colon: boolean;
  readonly bare: boolean;
}

/** The value after `name` (which ends at `at`), or undefined when no separator follows. */
function valueAfter(text: string, at: number, kind: SecretKeyKind, flag: boolean): Value | undefined {
  let sep = runAt(SEPARATOR, text, at);
  if (sep === undefined && flag) sep = runAt(FLAG_SEPARATOR, text, at);
  if (sep === undefined) return undefined;
  let from = at + sep.length;
  OPEN_QUOTE.lastIndex = from;
  const opened = OPEN_QUOTE.exec(text);
  if (opened !== null) from += opened[0].length;
  if (kind === 'authorization') from += runAt(AUTH_SCHEME, text, from)?.length ?? 0;
  const body = opened === null ? BARE : (QUOTED[opened[1] as string] as RegExp);
  const value = runAt(body, text, from) ?? '';
  return { start: from, end: from + value.length, colon: sep.includes(':') && !sep.includes('='), bare: opened === null };
}

/** `Bearer <token>` on its own: the token needs a digit or some length, or it is prose. */
function bearerAfter(text: string, at: number): Value | undefined {
  const space = runAt(BEARER_SPACE, text, at);
  if (space === undefined) return undefined;
  const from = at + space.length;
  const token = runAt(BEARER_VALUE, text, from) ?? '';
  if (token.length < 8 || !(/[0-9]/.test(token) || token.length >= 32)) return undefined;
  return { start: from, end: from + token.length, colon: false, bare: false };
}

export function keyValueScanner(enabled: { password: boolean; aws: boolean }): Scanner {
  const triggers: Trigger[] = KEYWORDS.map((text) => ({ text, ignoreCase: true }));
  return {
    triggers,
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      let floor = 0;
      KEYWORD.lastIndex = 0;
      for (let m = KEYWORD.exec(text); m !== null; m = KEYWORD.exec(text)) {
        let start = m.index;
        while (start > floor && start > m.index - 64 && NAME_CHAR.test(text[start - 1] as string)) start -= 1;
        const nameEnd = m.index + m[0].length + (runAt(NAME_RUN, text, m.index + m[0].length)?.length ?? 0);
        KEYWORD.lastIndex = nameEnd;
        floor = nameEnd;
        const name = text.slice(start, nameEnd);
        const flag = name.startsWith('-');
        const kind = secretKeyKind(name.replace(/^-+/, ''), flag);
        if (kind === undefined) continue;
        const value = kind === 'bearer' ? bearerAfter(text, nameEnd) : valueAfter(text, nameEnd, kind, flag);
        if (value === undefined) continue;
        KEYWORD.lastIndex = Math.max(value.end, nameEnd);
        floor = KEYWORD.lastIndex;
        const secret = text.slice(value.start, value.end);
        const rule = ruleFor(kind, secret, enabled);
        if (rule === undefined) continue;
        if (kind !== 'bearer' && !looksLikeSecretValue(secret, name, { bare: value.bare, colon: value.colon, next: text[value.end] ?? '' })) continue;
        findings.push({ start: value.start, end: value.end, rule });
      }
      return findings;
    },
  };
}

/** The rule a secret under a name of `kind` is reported as, if that rule is on. */
export function ruleFor(kind: SecretKeyKind, secret: string, enabled: { password: boolean; aws: boolean }): string | undefined {
  if (kind === 'aws' && enabled.aws && isAwsSecretValue(secret)) return AWS_SECRET_RULE;
  return enabled.password ? PASSWORD_RULE : undefined;
}

/** A whole JSON string under a secret-holding key (`{"api_key": "…"}`): the rule it falls under, if any. */
export function keyedValueRule(key: string, value: string, enabled: { password: boolean; aws: boolean }): string | undefined {
  const kind = secretKeyKind(key);
  if (kind === undefined) return undefined;
  const credential = kind === 'authorization' || kind === 'bearer' ? value.replace(/^(?:basic|bearer|token|digest|negotiate|ntlm|apikey|api-key)[ \t]{1,4}/i, '') : value;
  if (!looksLikeSecretValue(credential, key, { bare: false, colon: false, next: '' })) return undefined;
  return ruleFor(kind, value, enabled);
}
