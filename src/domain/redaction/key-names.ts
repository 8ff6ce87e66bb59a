// Which names hold secrets (`DB_PASSWORD`, `apiKey`, `client_secret`, `Authorization`) and which
// values are not secrets but stand-ins for one (`${PASSWORD}`, `***`, `<password>`, `string`).
// Shared by the key=value scanner (text) and the JSON walk (a string under such a key).

export type SecretKeyKind = 'generic' | 'aws' | 'authorization' | 'bearer';

/** A name ending with one of these (as its last word, or glued: `dbpassword`) holds a secret. */
const SECRET_WORDS = new Set(['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'secretkey', 'privatekey', 'accesskey', 'authtoken', 'accesstoken', 'refreshtoken', 'clientsecret', 'sessiontoken']);
const GLUED_ENDINGS = ['password', 'passwd', 'token', 'secret', 'apikey', 'secretkey', 'privatekey', 'accesskey'];
/** `<word>_key` holds a secret for these words only: `sort_key`, `primary key` do not. */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'auth', 'signing', 'encryption', 'master', 'client', 'app', 'account', 'storage', 'shared', 'webhook']);
/** `max_token`, `next_page_token`, `input_token`: counts and cursors, not credentials. */
const NOT_CREDENTIAL_TOKEN = new Set(['max', 'min', 'num', 'total', 'input', 'output', 'cache', 'prompt', 'completion', 'count', 'next', 'page', 'continuation', 'cancellation', 'sync', 'csrf']);
/** Trailing words that keep the name's meaning: `password_confirm`, `api_key_value`. */
const TRAILING = new Set(['confirm', 'confirmation', 'value', 'val', 'b64', 'base64', 'plain', 'plaintext', 'raw']);

/** `DB_PASSWORD` → db, password; `apiKey` → api, key; `X-Api-Key` → x, api, key. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

// Names repeat (code says `token` and `password` again and again): each is judged once. Bounded,
// so a text of a million distinct names cannot grow it without end.
const judged = new Map<string, SecretKeyKind | null>();

/** What kind of secret a name holds, if any. `flag`: written as `--name` on a command line. */
export function secretKeyKind(key: string, flag = false): SecretKeyKind | undefined {
  if (key.length > 64) return undefined;
  const cacheKey = flag ? `-${key}` : key;
  const known = judged.get(cacheKey);
  if (known !== undefined) return known ?? undefined;
  const kind = judge(key, flag);
  if (judged.size >= 4096) judged.clear();
  judged.set(cacheKey, kind ?? null);
  return kind;
}

function judge(key: string, flag: boolean): SecretKeyKind | undefined {
  let words = keyWords(key);
  if (words.length > 1 && TRAILING.has(words[words.length - 1] as string)) words = words.slice(0, -1);
  const last = words[words.length - 1];
  if (last === undefined) return undefined;
  const prev = words[words.length - 2];
  if (last === 'authorization') return 'authorization';
  if (last === 'bearer' && words.length === 1) return 'bearer';
  const joined = words.join('');
  if (joined.endsWith('secretaccesskey') || joined === 'awssecretkey') return 'aws';
  if (last === 'token' && prev !== undefined && NOT_CREDENTIAL_TOKEN.has(prev)) return undefined;
  if (SECRET_WORDS.has(last)) return 'generic';
  // "pass" and "pwd" alone are English and a shell command; `DB_PASS`, `MYSQL_PWD`, `--pass` are not.
  if ((last === 'pass' || last === 'pwd') && (prev !== undefined || flag)) return 'generic';
  if (last === 'key' && prev !== undefined && KEY_QUALIFIERS.has(prev)) return 'generic';
  if (GLUED_ENDINGS.some((ending) => last.length > ending.length && last.endsWith(ending))) return 'generic';
  return undefined;
}

/** Values that name a type, a flag or nothing at all, or say the secret is elsewhere. */
const STAND_IN_VALUES = new Set([
  'null', 'nil', 'none', 'undefined', 'true', 'false', 'yes', 'no', 'on', 'off', 'string', 'str', 'number', 'int', 'integer',
  'bool', 'boolean', 'bytes', 'any', 'unknown', 'object', 'optional', 'required', 'empty', 'redacted', 'hidden', 'masked',
  'secret', 'secrets', 'password', 'passwd', 'pass', 'pwd', 'token', 'apikey', 'api_key', 'key', 'example', 'placeholder',
  'default', 'todo', 'tbd', 'n/a', 'env', 'process.env', 'sensitive', 'secretstr', 'secretstring',
  // Words of code (`apiKey:void 0`, `token: this.token`, `password: await ask()`).
  'void', 'this', 'self', 'new', 'function', 'typeof', 'await', 'async', 'return', 'yield', 'require', 'import', 'lambda',
]);
// Shell/template variables, format strings, <angle> placeholders, masks, our own placeholder.
const STAND_IN_START = /^(?:\$\{|\$\(|%|\{\{|\{%|#\{|<|\[REDACTED:)/;
const SHELL_VARIABLE = /^\$[A-Za-z_][A-Za-z0-9_]*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
// `password: SecretStr` in a type annotation: capitalised, letters only.
const TYPE_NAME = /^[A-Z][a-z][A-Za-z]*$/;

/** `process.env.X`, `self.password`, `os.environ`: a reference in code, not a value. */
function isDottedReference(value: string): boolean {
  const parts = value.split('.');
  return parts.length > 1 && parts.every((part) => IDENTIFIER.test(part));
}

export interface ValueContext {
  /** Written without quotes in a text (code, shell, YAML), where references and types also stand. */
  readonly bare: boolean;
  /** The separator was a colon (`key: value`: YAML, JSON, and type annotations). */
  readonly colon: boolean;
  /** The character right after the value (`(` makes a bare value a call). */
  readonly next: string;
}

/** Whether `value` (found under a secret-holding `key`) is a secret rather than a stand-in for one. */
export function looksLikeSecretValue(value: string, key: string, context: ValueContext): boolean {
  if (value.length < 3) return false;
  const lower = value.toLowerCase();
  if (STAND_IN_VALUES.has(lower) || lower === key.toLowerCase()) return false;
  if (STAND_IN_START.test(value) || SHELL_VARIABLE.test(value)) return false;
  if (value.endsWith('}}') || lower.startsWith('your') || lower.includes('****') || lower.includes('xxxx')) return false;
  if (allSame(value)) return false;
  // `print("Password: " + pw)`, `prompt("Enter password:", x)`: the quote that "opened" the value
  // closed a string; what follows is code, and secrets do not start with a space or a comma.
  if (/^[\s,;)\]}+]|\s$/.test(value)) return false;
  if (context.bare && (context.next === '(' || context.next === '[' || isDottedReference(value))) return false;
  if (context.bare && context.colon && TYPE_NAME.test(value)) return false;
  return true;
}

function allSame(value: string): boolean {
  const first = value[0];
  for (let i = 1; i < value.length; i += 1) if (value[i] !== first) return false;
  return true;
}

/** An AWS secret access key: 40 characters of base64. */
export function isAwsSecretValue(value: string): boolean {
  return /^[A-Za-z0-9/+]{40}$/.test(value);
}
