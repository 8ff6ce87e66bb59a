import * as vscode from 'vscode';
import { realpathSync } from 'node:fs';
import { clampLine, resolveWorkspaceFile } from '../../projections/file-journal';
import type { LogbookViews } from '../services';

// Opening a file a journal entry names. The path came from an agent (through a webview): it must
// stay inside the workspace folder of the session that wrote it, symbolic links included.

/** Opens `path` (relative to the session's workspace folder, or absolute inside it) at `line`; throws with a reason otherwise. */
export async function openJournalFile(views: LogbookViews, sessionId: string, path: string, line: number | undefined): Promise<void> {
  const found = views.findSession(sessionId);
  if (found === undefined) throw new Error(`no session ${JSON.stringify(sessionId.slice(0, 80))} in this window's logbook`);
  const folder = found.workspace.paths.workspace;
  const resolved = resolveWorkspaceFile(folder, path);
  if (!resolved.ok) throw new Error(`refused to open ${resolved.problem}`);
  let real: string;
  try {
    real = realpathSync(resolved.path);
  } catch {
    throw new Error(`${path} does not exist in ${folder}`);
  }
  const inside = resolveWorkspaceFile(realpathSync(folder), real);
  if (!inside.ok) throw new Error(`refused to open ${path}: it links outside the workspace folder`);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(resolved.path));
  const at = clampLine(line, document.lineCount) - 1;
  const range = new vscode.Range(at, 0, at, 0);
  await vscode.window.showTextDocument(document, { selection: range, preview: true });
}
