import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { LogbookError } from '../domain/errors';
import { redactionDisabledSchema, redactionPathsSchema, redactionPatternsSchema } from '../domain/redaction/settings-schema';
import type { RedactionSettings } from '../domain/redaction/types';
import { lineColumn } from '../domain/text-position';

// The CLI honours the same `logbook.*` settings as the extension, read from the workspace's
// .vscode/settings.json (JSON with comments), so both writers cap fields identically.

export const DEFAULT_MAX_FIELD_BYTES = 65_536;

const rate = z.number().min(0).optional();
const priceOverride = z.object({
  inputPerMTok: rate, outputPerMTok: rate, cacheWritePerMTok: rate, cacheWrite1hPerMTok: rate, cacheReadPerMTok: rate,
}).loose();

const settingsSchema = z.object({
  'logbook.capture.maxFieldBytes': z.number().int().min(1024).optional(),
  'logbook.report.prices': z.record(z.string(), priceOverride).optional(),
  'logbook.redaction.patterns': redactionPatternsSchema.optional(),
  'logbook.redaction.disabled': redactionDisabledSchema.optional(),
  'logbook.redaction.paths': redactionPathsSchema.optional(),
}).loose();

export interface CaptureSettings {
  readonly maxFieldBytes: number;
}

/** The workspace's `logbook.*` settings the CLI honours, validated; absent file = defaults. */
export function readWorkspaceSettings(workspace: string): z.infer<typeof settingsSchema> {
  const file = join(workspace, '.vscode', 'settings.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const { line, column } = lineColumn(text, first.offset);
    throw new LogbookError('SETTINGS_MALFORMED', `.vscode/settings.json:${line}:${column}: ${printParseErrorCode(first.error)}`);
  }
  const parsed = settingsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LogbookError('SETTINGS_INVALID', `.vscode/settings.json: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function readCaptureSettings(workspace: string): CaptureSettings {
  return { maxFieldBytes: readWorkspaceSettings(workspace)['logbook.capture.maxFieldBytes'] ?? DEFAULT_MAX_FIELD_BYTES };
}

/** `logbook.redaction.*` as compileRedactor takes them; an unset key stays undefined (paths: the built-in list). */
export function readRedactionSettings(workspace: string): RedactionSettings {
  const settings = readWorkspaceSettings(workspace);
  return {
    patterns: settings['logbook.redaction.patterns'],
    disabled: settings['logbook.redaction.disabled'],
    paths: settings['logbook.redaction.paths'],
  };
}
