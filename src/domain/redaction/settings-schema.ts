import * as z from 'zod';
import type { RedactionSettings } from './types';

// The `logbook.redaction.*` settings' shapes, shared by the extension (VS Code configuration)
// and the CLI (.vscode/settings.json), so both accept and refuse the same values. The shapes only:
// what a pattern or glob means is checked by compileRedactor, which leaves a bad one out and
// names it instead of refusing every setting.

export const redactionPatternsSchema = z.array(z.object({
  name: z.string(),
  pattern: z.string(),
  flags: z.string().optional(),
}).loose());

export const redactionDisabledSchema = z.array(z.string());

export const redactionPathsSchema = z.array(z.string());

export const redactionSettingsSchema = z.object({
  patterns: redactionPatternsSchema.optional(),
  disabled: redactionDisabledSchema.optional(),
  paths: redactionPathsSchema.optional(),
});

/** The three settings as compileRedactor takes them; a value of the wrong shape is named in `problems` and ignored. */
export function parseRedactionSettings(raw: { patterns?: unknown; disabled?: unknown; paths?: unknown }): { settings: RedactionSettings; problems: string[] } {
  const problems: string[] = [];
  const pick = <T>(key: 'patterns' | 'disabled' | 'paths', schema: z.ZodType<T>): T | undefined => {
    if (raw[key] === undefined || raw[key] === null) return undefined;
    const parsed = schema.safeParse(raw[key]);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    problems.push(`logbook.redaction.${key}${issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? ''}: ${issue?.message ?? 'invalid'}; the setting is ignored`);
    return undefined;
  };
  const settings: RedactionSettings = {
    patterns: pick('patterns', redactionPatternsSchema),
    disabled: pick('disabled', redactionDisabledSchema),
    paths: pick('paths', redactionPathsSchema),
  };
  return { settings, problems };
}
