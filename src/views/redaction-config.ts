import type * as vscode from 'vscode';
import { parseRedactionSettings } from '../domain/redaction/settings-schema';
import type { RedactionSettings } from '../domain/redaction/types';

/**
 * Reads `logbook.redaction.*` from VS Code's configuration for the ingest, at every pass: a value
 * of the wrong shape is left out and said once (each time the configuration changes), not at
 * every pass.
 */
export function redactionSettingsReader(config: () => vscode.WorkspaceConfiguration, log: (message: string) => void): () => RedactionSettings {
  let lastRaw = '';
  return () => {
    const c = config();
    const raw = { patterns: c.get<unknown>('redaction.patterns'), disabled: c.get<unknown>('redaction.disabled'), paths: c.get<unknown>('redaction.paths') };
    const { settings, problems } = parseRedactionSettings(raw);
    const key = JSON.stringify(raw);
    if (key !== lastRaw && problems.length > 0) log(`logbook.redaction: ${problems.join('; ')}`);
    lastRaw = key;
    return settings;
  };
}
