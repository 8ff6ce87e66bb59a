import { checkPatternSafety } from './pattern-safety';
import { RefusedPattern } from './regex-parse';
import type { Finding, RedactionSettings, Scanner } from './types';

// `logbook.redaction.patterns`: the user's own rules. Each is checked (pattern-safety.ts) and
// compiled on its own; a bad one is left out and named, the others still apply.

export const MAX_USER_PATTERNS = 20;
export const MAX_PATTERN_LENGTH = 500;
const ALLOWED_FLAGS = /^[imsu]*$/;
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export interface UserRule {
  readonly name: string;
  /** The source actually compiled (after the safety rewrite), for the fingerprint. */
  readonly source: string;
  readonly flags: string;
  readonly scanner: Scanner;
}

export function compileUserPatterns(patterns: RedactionSettings['patterns'], reserved: ReadonlySet<string>): { rules: UserRule[]; problems: string[] } {
  const rules: UserRule[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  const all = patterns ?? [];
  if (all.length > MAX_USER_PATTERNS) problems.push(`logbook.redaction.patterns[${MAX_USER_PATTERNS}…${all.length - 1}]: left out, at most ${MAX_USER_PATTERNS} patterns are used`);
  all.slice(0, MAX_USER_PATTERNS).forEach((entry, index) => {
    const where = `logbook.redaction.patterns[${index}]`;
    const refusal = refuse(entry, names, reserved);
    if (refusal !== undefined) {
      problems.push(`${where}: ${refusal}`);
      return;
    }
    try {
      rules.push(compileOne(entry.name, entry.pattern, entry.flags ?? ''));
      names.add(entry.name);
    } catch (error) {
      problems.push(`${where} (${entry.name}): ${error instanceof RefusedPattern ? 'refused: ' : ''}${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { rules, problems };
}

function refuse(entry: { name: string; pattern: string; flags?: string }, names: ReadonlySet<string>, reserved: ReadonlySet<string>): string | undefined {
  if (!NAME.test(entry.name)) return `name ${JSON.stringify(entry.name.slice(0, 80))} must be a letter then up to 63 letters, digits, "_", "." or "-"`;
  if (reserved.has(entry.name)) return `name "${entry.name}" is a built-in detector's id`;
  if (names.has(entry.name)) return `name "${entry.name}" is used twice`;
  if (entry.pattern.length === 0) return 'empty pattern';
  if (entry.pattern.length > MAX_PATTERN_LENGTH) return `pattern is ${entry.pattern.length} characters long (at most ${MAX_PATTERN_LENGTH})`;
  const flags = entry.flags ?? '';
  if (!ALLOWED_FLAGS.test(flags) || new Set(flags).size !== flags.length) return `flags ${JSON.stringify(flags)}: only i, m, s and u, each once`;
  return undefined;
}

function compileOne(name: string, pattern: string, flags: string): UserRule {
  // Compiling first lets the engine report syntax errors in its own words; the check then
  // parses a pattern known to be valid.
  new RegExp(pattern, flags);
  const safe = checkPatternSafety(pattern, { ignoreCase: flags.includes('i'), unicode: flags.includes('u'), dotAll: flags.includes('s') });
  const regex = new RegExp(safe.source, `${flags}g${safe.secretGroup ? 'd' : ''}`);
  const scanner: Scanner = {
    triggers: safe.triggers,
    find(text: string): Finding[] {
      const findings: Finding[] = [];
      regex.lastIndex = 0;
      for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
        if (m[0].length === 0) {
          regex.lastIndex += 1;
          continue;
        }
        const span: readonly [number, number] | undefined = safe.secretGroup ? m.indices?.groups?.['secret'] : [m.index, m.index + m[0].length];
        if (span !== undefined && span[1] > span[0]) findings.push({ start: span[0], end: span[1], rule: name });
      }
      return findings;
    },
  };
  return { name, source: safe.source, flags, scanner };
}
