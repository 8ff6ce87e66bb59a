import type { Alert } from '../../domain/control/alert-rules';
import { oneLine } from '../../domain/one-line';

// The alerts this window told the user about (issue 15, delivery), as the badge and the status
// bar count them: an alert is unacknowledged until the user acts on its notification or opens
// the control center. One told while the view is on screen is seen already, so not counted; its
// row still says it (the latest per session, kept while the session is live). No vscode import.

/** Where a session lives: its workspace and id. */
export function sessionKey(workspace: string, sessionId: string): string {
  return `${workspace}\u0000${sessionId}`;
}

/** What the count's tooltip says of one alert. */
interface Told {
  readonly id: string;
  readonly key: string;
  readonly text: string;
}

const TOOLTIP_LINES = 5;

export class AlertLedger {
  private readonly unseen = new Map<string, Told>();
  private readonly latest = new Map<string, string>();

  /** An alert told now; `title` names its session for the tooltip. */
  told(alert: Alert, title: string, viewVisible: boolean): void {
    const key = sessionKey(alert.workspace, alert.sessionId);
    this.latest.set(key, alert.data.message);
    if (!viewVisible) this.unseen.set(alert.id, { id: alert.id, key, text: `${oneLine(title, 40)}: ${oneLine(alert.data.message, 120)}` });
  }

  acknowledge(alertId: string): void {
    this.unseen.delete(alertId);
  }

  acknowledgeAll(): void {
    this.unseen.clear();
  }

  get count(): number {
    return this.unseen.size;
  }

  /** The latest alert told for a session, if it is still live. */
  latestFor(workspace: string, sessionId: string): string | undefined {
    return this.latest.get(sessionKey(workspace, sessionId));
  }

  /** Forgets what concerns sessions no longer live (ended, or gone quiet). */
  keepOnly(liveKeys: ReadonlySet<string>): void {
    for (const key of this.latest.keys()) if (!liveKeys.has(key)) this.latest.delete(key);
    for (const [id, told] of this.unseen) if (!liveKeys.has(told.key)) this.unseen.delete(id);
  }

  /** The badge's and the status bar's tooltip: how many, then the latest few. */
  tooltip(): string {
    const all = [...this.unseen.values()].reverse();
    const lines = all.slice(0, TOOLTIP_LINES).map((told) => `• ${told.text}`);
    if (all.length > TOOLTIP_LINES) lines.push(`… and ${all.length - TOOLTIP_LINES} more`);
    return [`${countText(all.length)} (open the control center to acknowledge)`, ...lines].join('\n');
  }
}

/** "1 new alert", "3 new alerts". */
export function countText(count: number): string {
  return `${count} new alert${count === 1 ? '' : 's'}`;
}
