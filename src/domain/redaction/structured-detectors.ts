import type { Finding, Scanner } from './types';

// Detectors whose secret has a structure rather than a prefix: private key blocks, JWTs, URLs
// with a password. Same discipline as token-detectors.ts: literal searches, runs consumed once,
// every search resuming after what it consumed, so the work is linear in the text.

// The END line is looked for inside the block's own run (base64, spaces, newlines, `\n` escapes,
// the `Proc-Type:`/`DEK-Info:` headers of encrypted PEM), so a missing END costs one run, no rescan.
const KEY_MARK = /PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_BODY = /[A-Za-z0-9+/=\s\\:,.-]*/y;
const KEY_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const BEGIN = '-----BEGIN';

/** `-----BEGIN … PRIVATE KEY-----` … `-----END … PRIVATE KEY-----`, also with literal `\n` escapes; a block cut short is redacted to its end. */
export function privateKeyScanner(): Scanner {
  return {
    triggers: [{ text: 'PRIVATE KEY', ignoreCase: false }],
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      let floor = 0;
      KEY_MARK.lastIndex = 0;
      for (let m = KEY_MARK.exec(text); m !== null; m = KEY_MARK.exec(text)) {
        const markEnd = m.index + m[0].length;
        // BEGIN is looked for in the 60 characters before the mark only: a bounded look-back.
        const windowStart = Math.max(floor, m.index - 60);
        const offset = text.slice(windowStart, m.index).lastIndexOf(BEGIN);
        const begin = windowStart + offset;
        // The words between BEGIN and PRIVATE KEY: "", " RSA ", " OPENSSH ", " PGP ", " ENCRYPTED "…
        const words = text.slice(begin + BEGIN.length, m.index);
        if (offset < 0 || (words !== '' && !/^ [A-Z0-9 ]*$/.test(words))) continue;
        KEY_BODY.lastIndex = markEnd;
        const runEnd = markEnd + (KEY_BODY.exec(text)?.[0].length ?? 0);
        // Searched within the run only: an unbounded indexOf per block would be quadratic.
        const endOffset = text.slice(markEnd, runEnd).indexOf('-----END');
        const endLine = markEnd + endOffset;
        let end = runEnd;
        if (endOffset >= 0) {
          KEY_END.lastIndex = endLine;
          const close = KEY_END.exec(text);
          end = close === null ? endLine : endLine + close[0].length;
        }
        findings.push({ start: begin, end, rule: 'private-key' });
        floor = end;
        KEY_MARK.lastIndex = Math.max(end, markEnd);
      }
      return findings;
    },
  };
}

const JWT_START = /eyJ/g;
const JWT_PART = /[A-Za-z0-9_-]*/y;
const B64URL_CHAR = /[A-Za-z0-9_-]/;

/** A run of base64url characters from `at`, and where it ends. */
function partEnd(text: string, at: number): number {
  JWT_PART.lastIndex = at;
  return at + (JWT_PART.exec(text)?.[0].length ?? 0);
}

/** The header must decode to a JSON object with an "alg": random base64 starting with eyJ does not. */
function isJwtHeader(part: string): boolean {
  if (part.length < 10 || part.length > 4096) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return header !== null && typeof header === 'object' && typeof (header as Record<string, unknown>)['alg'] === 'string';
  } catch {
    return false;
  }
}

/** header.payload.signature in base64url, the header a JSON object with "alg". */
export function jwtScanner(): Scanner {
  return {
    triggers: [{ text: 'eyJ', ignoreCase: false }],
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      JWT_START.lastIndex = 0;
      for (let m = JWT_START.exec(text); m !== null; m = JWT_START.exec(text)) {
        const start = m.index;
        if (start > 0 && B64URL_CHAR.test(text[start - 1] as string)) continue;
        const headerEnd = partEnd(text, start);
        JWT_START.lastIndex = headerEnd;
        if (text[headerEnd] !== '.') continue;
        const payloadEnd = partEnd(text, headerEnd + 1);
        JWT_START.lastIndex = payloadEnd;
        if (payloadEnd - headerEnd - 1 < 2 || text[payloadEnd] !== '.') continue;
        const end = partEnd(text, payloadEnd + 1);
        JWT_START.lastIndex = end;
        // A header that does not decode is skipped whole: an "eyJ" inside it would start a part
        // that ends where this one does, and rescanning from each would be quadratic.
        if (isJwtHeader(text.slice(start, headerEnd))) findings.push({ start, end, rule: 'jwt' });
      }
      return findings;
    },
  };
}

const SCHEME_SEPARATOR = /:\/\//g;
const AUTHORITY = /[^\s/?#"'`<>\\]*/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const HOST_START = /^[A-Za-z0-9[\]._-]/;
/** Documentation's stand-ins for a password (`postgres://user:password@localhost`). */
const URL_PLACEHOLDERS = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'pw', 'xxx', 'changeme']);

export function isUrlPlaceholder(pass: string): boolean {
  return URL_PLACEHOLDERS.has(pass.toLowerCase()) || /^(?:\$\{|\$\(|\$[A-Za-z_][A-Za-z0-9_]*$|%|\{\{|<|\*+$|x+$|\[REDACTED:)/i.test(pass);
}

/** scheme://user:password@host: the password (up to the authority's last @) is the secret. */
export function urlCredentialsScanner(): Scanner {
  return {
    triggers: [{ text: '://', ignoreCase: false }],
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      SCHEME_SEPARATOR.lastIndex = 0;
      for (let m = SCHEME_SEPARATOR.exec(text); m !== null; m = SCHEME_SEPARATOR.exec(text)) {
        const from = m.index + 3;
        AUTHORITY.lastIndex = from;
        const authority = AUTHORITY.exec(text)?.[0] ?? '';
        SCHEME_SEPARATOR.lastIndex = from + authority.length;
        if (m.index === 0 || !SCHEME_CHAR.test(text[m.index - 1] as string) || authority.length > 1024) continue;
        const at = authority.lastIndexOf('@');
        const colon = authority.indexOf(':');
        if (at < 0 || colon < 0 || colon > at) continue;
        const pass = authority.slice(colon + 1, at);
        if (pass.length === 0 || !HOST_START.test(authority.slice(at + 1)) || isUrlPlaceholder(pass)) continue;
        findings.push({ start: from + colon + 1, end: from + at, rule: 'url-credentials' });
      }
      return findings;
    },
  };
}
