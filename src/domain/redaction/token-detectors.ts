import type { Finding, Scanner, Trigger } from './types';

// Detectors for keys with a fixed prefix (sk-ant-, AKIA, ghp_…): find the prefix, then the run of
// key characters after it, and judge the run's length. The scan is linear on any input: a prefix
// is searched for as a literal, a run is consumed once and the search resumes after it (a prefix
// inside a run is preceded by a key character, so it could never start a key of its own), and no
// regular expression here has a repetition followed by anything that could make it backtrack.

interface TokenShape {
  /** The literal prefixes; the trigger list is made of them. */
  readonly prefixes: readonly string[];
  /** The key's characters after the prefix, as a character class body (`A-Za-z0-9_-`). */
  readonly body: string;
  readonly min: number;
  readonly max: number;
  /** Characters that may not stand right before the prefix (default: the body's own). */
  readonly before?: string;
  /** Characters that may not stand right after the run. */
  readonly after?: string;
  /** Trailing characters to give back (a key at the end of a sentence keeps its full stop). */
  readonly trimEnd?: string;
  readonly valid?: (body: string, prefix: string) => boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A scanner over several token shapes that report one rule id. */
export function tokenScanner(rule: string, shapes: readonly TokenShape[]): Scanner {
  const compiled = shapes.map((shape) => ({
    shape,
    prefix: new RegExp(shape.prefixes.map(escapeRegExp).join('|'), 'g'),
    run: new RegExp(`[${shape.body}]*`, 'y'),
    before: new RegExp(`[${shape.before ?? shape.body}]`),
    after: shape.after === undefined ? undefined : new RegExp(`[${shape.after}]`),
    trim: shape.trimEnd === undefined ? undefined : new RegExp(`[${shape.trimEnd}]+$`),
  }));
  const triggers: Trigger[] = shapes.flatMap((shape) => shape.prefixes.map((text) => ({ text, ignoreCase: false })));
  return {
    triggers,
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      for (const c of compiled) {
        c.prefix.lastIndex = 0;
        for (let m = c.prefix.exec(text); m !== null; m = c.prefix.exec(text)) {
          const start = m.index;
          if (start > 0 && c.before.test(text[start - 1] as string)) continue;
          const bodyStart = start + m[0].length;
          c.run.lastIndex = bodyStart;
          const run = c.run.exec(text)?.[0] ?? '';
          c.prefix.lastIndex = Math.max(bodyStart + run.length, start + 1);
          const body = c.trim === undefined ? run : run.replace(c.trim, '');
          const end = bodyStart + body.length;
          if (body.length < c.shape.min || body.length > c.shape.max) continue;
          if (c.after !== undefined && end < text.length && c.after.test(text[end] as string)) continue;
          if (c.shape.valid !== undefined && !c.shape.valid(body, m[0])) continue;
          findings.push({ start, end, rule });
        }
      }
      return findings;
    },
  };
}

/** Random keys mix classes; words, ids in kebab-case and repeated filler do not. */
function mixed(body: string): boolean {
  return /[0-9]/.test(body) && /[a-z]/.test(body) && /[A-Z]/.test(body);
}

function distinctChars(body: string): number {
  return new Set(body).size;
}

const B64URL = 'A-Za-z0-9_\\-';

/** The prefixed-key detectors, in priority order (the first wins a tie on the same text). */
export function tokenScanners(): { id: string; scanner: Scanner }[] {
  return [
    { id: 'anthropic-api-key', scanner: tokenScanner('anthropic-api-key', [{ prefixes: ['sk-ant-'], body: B64URL, min: 32, max: 300 }]) },
    {
      id: 'openai-api-key',
      scanner: tokenScanner('openai-api-key', [{
        prefixes: ['sk-'], body: B64URL, min: 20, max: 300,
        // sk-ant- is Anthropic's; a hyphenated word list ("sk-some-long-name") is not random.
        valid: (body) => !body.startsWith('ant-') && mixed(body),
      }]),
    },
    {
      id: 'aws-access-key-id',
      scanner: tokenScanner('aws-access-key-id', [{
        prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AIPA', 'ANPA', 'ANVA', 'AROA', 'APKA', 'ASCA', 'A3T'],
        body: 'A-Z0-9', before: 'A-Za-z0-9', after: 'a-z', min: 16, max: 17,
        // Key ids are base32 (A-Z, 2-7); `AKIAXXXXXXXXXXXXXXXX` is a placeholder.
        valid: (body, prefix) => body.length + prefix.length === 20 && /^[A-Z2-7]+$/.test(body.slice(body.length - 16)) && distinctChars(body) >= 5,
      }]),
    },
    {
      id: 'github-token',
      scanner: tokenScanner('github-token', [
        { prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'], body: 'A-Za-z0-9', before: 'A-Za-z0-9_', min: 36, max: 255 },
        { prefixes: ['github_pat_'], body: 'A-Za-z0-9_', min: 22, max: 255, valid: (body) => /[0-9]/.test(body) },
      ]),
    },
    {
      id: 'gitlab-token',
      scanner: tokenScanner('gitlab-token', [{
        prefixes: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'glcbt-', 'glft-', 'glsoat-', 'gloas-', 'glimt-'],
        body: 'A-Za-z0-9_.\\-', min: 20, max: 255, trimEnd: '.', valid: (body) => /[0-9]/.test(body),
      }]),
    },
    {
      id: 'slack-token',
      scanner: tokenScanner('slack-token', [{
        prefixes: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxe.xoxb-', 'xoxe.xoxp-', 'xapp-'],
        body: 'A-Za-z0-9\\-', before: 'A-Za-z0-9', min: 10, max: 300,
        // Slack's tokens go on with a number (xoxb-123-…); a sign-off like "xoxo, hugs" does not.
        valid: (body) => /^[0-9]/.test(body) && body.includes('-'),
      }]),
    },
    {
      id: 'slack-webhook',
      scanner: tokenScanner('slack-webhook', [{
        prefixes: ['hooks.slack.com/services/', 'hooks.slack.com/workflows/', 'hooks.slack.com/triggers/'],
        body: 'A-Za-z0-9/_+\\-', before: 'A-Za-z0-9_\\-', min: 20, max: 300,
      }]),
    },
    {
      id: 'stripe-key',
      scanner: tokenScanner('stripe-key', [{
        prefixes: ['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_', 'whsec_'],
        body: 'A-Za-z0-9', before: 'A-Za-z0-9_', min: 16, max: 255, valid: (body) => /[0-9]/.test(body),
      }]),
    },
    {
      id: 'google-api-key',
      scanner: tokenScanner('google-api-key', [
        { prefixes: ['AIza'], body: B64URL, min: 35, max: 35 },
        { prefixes: ['GOCSPX-'], body: B64URL, min: 24, max: 40 },
        { prefixes: ['ya29.'], body: 'A-Za-z0-9_.\\-', before: B64URL, min: 20, max: 4096, trimEnd: '.', valid: mixed },
      ]),
    },
  ];
}
