import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Alert } from '../../domain/control/alert-rules';
import { oneLine } from '../../domain/one-line';
import { countText } from './alert-ledger';
import type { AlertLedger } from './alert-ledger';
import type { ControlNode } from './control-tree';

// How an alert reaches the user in VS Code (issue 15, delivery): a warning notification with its
// actions, and a count of the alerts not acknowledged yet on the control center's badge and in
// the status bar. The engine told this window only if no other watcher (a second window,
// `logbook watch`) had told it first. The actions run the control center's commands, so a hold
// from a notification is the same act as a hold from a row.

export const ALERT_ACTIONS = { openReport: 'Open Report', hold: 'Hold', mute: 'Mute Rule' } as const;

/** What the agent reads when a hold from the notification denies its next call. */
export function holdMessageFor(alert: Alert): string {
  return oneLine(`held from VS Code after the alert: ${alert.data.message}`, 2000);
}

export class AlertDelivery implements vscode.Disposable {
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly view: vscode.TreeView<ControlNode>, private readonly ledger: AlertLedger, private readonly log: (message: string) => void) {
    this.status = vscode.window.createStatusBarItem('logbook.alerts', vscode.StatusBarAlignment.Left, 49);
    this.status.name = 'Agent Logbook: alerts';
    this.status.command = { command: 'logbook.controlCenter.focus', title: 'Show the Control Center' };
    this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  /** An alert this window is the one to tell; `title` names its session. */
  tell(alert: Alert, title: string): void {
    this.ledger.told(alert, title, this.view.visible);
    this.show();
    void this.notify(alert, title).catch((error: unknown) => this.log(`control center: alert ${alert.id}: ${String(error)}`));
  }

  /** The user looked at the control center: every alert counted so far is seen. */
  acknowledgeAll(): void {
    this.ledger.acknowledgeAll();
    this.show();
  }

  /** The badge and the status bar as the ledger counts (after it forgot ended sessions, say). */
  show(): void {
    const count = this.ledger.count;
    if (count === 0) {
      this.view.badge = undefined;
      this.status.hide();
      return;
    }
    const tooltip = this.ledger.tooltip();
    this.view.badge = { value: count, tooltip: countText(count) };
    this.status.text = `$(bell-dot) ${count}`;
    this.status.tooltip = tooltip;
    this.status.accessibilityInformation = { label: `Agent Logbook: ${countText(count)}` };
    this.status.show();
  }

  dispose(): void {
    this.status.dispose();
  }

  private async notify(alert: Alert, title: string): Promise<void> {
    const text = unlinked(`Agent Logbook: "${oneLine(title, 60)}" (${basename(alert.workspace)}): ${oneLine(alert.data.message, 400)}`);
    const picked = await vscode.window.showWarningMessage(text, ALERT_ACTIONS.openReport, ALERT_ACTIONS.hold, ALERT_ACTIONS.mute);
    if (picked === undefined) return;
    this.ledger.acknowledge(alert.id);
    this.show();
    const target = { workspace: alert.workspace, sessionId: alert.sessionId };
    switch (picked) {
      case ALERT_ACTIONS.openReport: return void (await vscode.commands.executeCommand('logbook.controlCenter.openReport', target));
      case ALERT_ACTIONS.hold: return void (await vscode.commands.executeCommand('logbook.controlCenter.hold', { ...target, message: holdMessageFor(alert) }));
      case ALERT_ACTIONS.mute: return void (await vscode.commands.executeCommand('logbook.controlCenter.muteRule', { ...target, rule: alert.data.rule }));
      default: return picked satisfies never;
    }
  }
}

/** A notification renders [text](link) as a link: the agent's words (a title, a tool name) never make one. */
function unlinked(text: string): string {
  return text.replace(/\]\(/g, ']\u200b(');
}
