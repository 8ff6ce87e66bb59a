import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { isLogbookHandler, settingsFilePath } from './installer';

/** Whether either Claude Code settings file of the workspace runs our hook (for the welcome view). */
export function hooksInstalledIn(workspace: string): boolean {
  return (['local', 'shared'] as const).some((scope) => {
    let text: string;
    try {
      text = readFileSync(settingsFilePath(workspace, scope), 'utf8');
    } catch {
      return false;
    }
    const settings: unknown = parse(text);
    if (settings === null || typeof settings !== 'object') return false;
    const hooks = (settings as { hooks?: unknown }).hooks;
    if (hooks === null || typeof hooks !== 'object') return false;
    return Object.values(hooks).some((groups) => Array.isArray(groups) && groups.some((group: unknown) =>
      group !== null && typeof group === 'object' && Array.isArray((group as { hooks?: unknown }).hooks) && ((group as { hooks: unknown[] }).hooks).some(isLogbookHandler)));
  });
}
