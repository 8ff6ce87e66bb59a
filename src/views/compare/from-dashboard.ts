import * as vscode from 'vscode';
import { splitRowKey } from '../dashboard/rows';

// The dashboard's "Compare": its row keys (folder NUL session id) become the session ids that
// logbook.compareSessions takes, so the dashboard opens the same view as the command.

/** The label of a cohort of the rows the dashboard showed. */
export const SHOWN_IN_DASHBOARD = 'shown in the dashboard';

export async function compareFromDashboard(keys: readonly string[], cohort: 'all' | readonly string[]): Promise<void> {
  const [a, b] = keys.map(sessionOfKey);
  if (a === undefined) throw new Error('choose one or two sessions to compare');
  if (b !== undefined) {
    await vscode.commands.executeCommand('logbook.compareSessions', a, b);
    return;
  }
  const ids = cohort === 'all' ? 'all' : cohort.map(sessionOfKey).filter((id) => id !== a);
  await vscode.commands.executeCommand('logbook.compareSessions', a, { cohort: ids, label: SHOWN_IN_DASHBOARD });
}

function sessionOfKey(key: string): string {
  return splitRowKey(key)?.sessionId ?? key;
}
