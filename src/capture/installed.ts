import { parse } from 'jsonc-parser';
import { findTooDeep } from '../domain/json-depth';
import { CONFIG_FILE_MAX_BYTES, readBoundedText } from './bounded-read';
import { isLogbookHandler, settingsFilePath } from './installer';

// Asked by VS Code at activation, for the welcome view: it must answer, whatever the files hold.

/** Whether either Claude Code settings file of the workspace runs our hook (for the welcome view). */
export function hooksInstalledIn(workspace: string): boolean {
  return (['local', 'shared'] as const).some((scope) => {
    try {
      return runsOurHook(settingsFilePath(workspace, scope));
    } catch {
      return false;
    }
  });
}

function runsOurHook(file: string): boolean {
  const read = readBoundedText(file, CONFIG_FILE_MAX_BYTES);
  // Too deep for jsonc-parser, which recurses: such a file is not one our installer wrote.
  if (read.kind !== 'text' || findTooDeep(read.text, undefined, { comments: true }) !== undefined) return false;
  const settings: unknown = parse(read.text);
  if (settings === null || typeof settings !== 'object') return false;
  const hooks = (settings as { hooks?: unknown }).hooks;
  if (hooks === null || typeof hooks !== 'object') return false;
  return Object.values(hooks).some((groups) => Array.isArray(groups) && groups.some((group: unknown) =>
    group !== null && typeof group === 'object' && Array.isArray((group as { hooks?: unknown }).hooks) && ((group as { hooks: unknown[] }).hooks).some(isLogbookHandler)));
}
