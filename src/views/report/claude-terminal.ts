import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

// "Send to terminal" starts Claude Code in a new terminal named "Claude" with the prompt as its
// first argument. The prompt is passed as an argv entry (shellPath + shellArgs), never typed into a
// shell: it quotes text from the session, which must not be run as shell syntax, and a multi-line
// text typed into a running `claude` would be submitted line by line.

/** Starts `claude <prompt>` in a new "Claude" terminal; offers to copy the prompt when there is no `claude`. */
export async function sendPromptToClaude(prompt: string, cwd: string | undefined): Promise<void> {
  const claude = findExecutable('claude');
  if (claude === undefined) {
    const copy = 'Copy Prompt';
    const picked = await vscode.window.showWarningMessage('Agent Logbook: `claude` is not on PATH, so no terminal was started. Copy the prompt and paste it into Claude Code instead?', copy);
    if (picked === copy) await copyPrompt(prompt);
    return;
  }
  const terminal = vscode.window.createTerminal({ name: 'Claude', shellPath: claude, shellArgs: [prompt], ...(cwd === undefined ? {} : { cwd }) });
  terminal.show();
}

export async function copyPrompt(prompt: string): Promise<void> {
  await vscode.env.clipboard.writeText(prompt);
  void vscode.window.setStatusBarMessage('Agent Logbook: prompt copied', 3000);
}

/** A folder to start Claude in: the session's own cwd when it still exists. */
export function existingFolder(path: string | null | undefined): string | undefined {
  try {
    return path !== null && path !== undefined && statSync(path).isDirectory() ? path : undefined;
  } catch {
    return undefined;
  }
}

function findExecutable(name: string): string | undefined {
  const suffixes = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const suffix of suffixes) {
      const candidate = join(dir, `${name}${suffix}`);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}
