import * as vscode from 'vscode';
import type { GroupSummary } from '../../domain/groups/model';
import { buildGroupTimeline } from '../../projections/groups/timeline/group-timeline';
import type { MemberStream } from '../../projections/groups/timeline/group-timeline';
import { groupTimelineWebviewMessage } from '../../protocol/group-timeline';
import type { GroupTimelineModel, GroupTimelineWebviewMessage } from '../../protocol/group-timeline';
import { PanelManager } from '../panel-manager';
import type { PanelSpec } from '../panel-manager';
import type { LogbookChange, LogbookViews } from '../services';

// The unified timeline panel (viewType logbook.groupTimeline, one per group id). Reading a group
// and its members' streams is injected (the group reader owns it); this file builds the model,
// sends it on `ready` and whenever one of the group's members gets events (the panel manager
// throttles that, and only while the panel is visible), and opens a clicked event in its session's
// report. A webview's message is untrusted: `open` must name a member of the panel's group.

/** A group and its members' events; undefined when the group is not (or no longer) known. */
export interface GroupTimelineInput {
  readonly group: GroupSummary;
  readonly streams: ReadonlyArray<MemberStream>;
}

export type GroupTimelineLoader = (groupId: string) => Promise<GroupTimelineInput | undefined>;

export const GROUP_TIMELINE_VIEW_TYPE = 'logbook.groupTimeline';
/** A group's model is rebuilt from all its members' streams: at most this often while they run. */
const REFRESH_MS = 1000;

/** The panels of every open group timeline; `show` creates or reveals one. Register it for disposal. */
export class GroupTimelinePanels implements vscode.Disposable {
  private readonly manager: PanelManager<GroupTimelineModel, GroupTimelineWebviewMessage>;
  /** Member ids of each open group, as last loaded: which store changes concern which panel. */
  private readonly members = new Map<string, ReadonlySet<string>>();

  constructor(services: LogbookViews, private readonly load: GroupTimelineLoader) {
    this.manager = new PanelManager(this.spec(), services, REFRESH_MS);
  }

  show(groupId: string): void {
    this.manager.show(groupId);
  }

  openKeys(): string[] {
    return this.manager.openKeys();
  }

  dispose(): void {
    this.manager.dispose();
    this.members.clear();
  }

  private spec(): PanelSpec<GroupTimelineModel, GroupTimelineWebviewMessage> {
    return {
      viewType: GROUP_TIMELINE_VIEW_TYPE,
      view: 'group-timeline',
      title: (key) => `Timeline ${key.slice(0, 40)}`,
      messages: groupTimelineWebviewMessage,
      snapshot: async (key) => {
        const input = await this.load(key);
        if (input === undefined) return undefined;
        this.members.set(key, new Set(input.group.members.map((m) => m.sessionId)));
        return buildGroupTimeline(input.group, input.streams);
      },
      handle: async (key, message) => this.handle(key, message),
      affects: (key, change) => this.affects(key, change),
    };
  }

  private async handle(key: string, message: GroupTimelineWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'open': {
        if (this.members.get(key)?.has(message.sessionId) !== true) throw new Error(`session ${JSON.stringify(message.sessionId.slice(0, 80))} is not a member of group ${key.slice(0, 80)}`);
        // logbook.openReport takes an object with a sessionId; the position names the event clicked.
        await vscode.commands.executeCommand('logbook.openReport', { sessionId: message.sessionId, position: message.position });
        return;
      }
      default: {
        const never: never = message.type;
        throw new Error(`unhandled group timeline message ${String(never)}`);
      }
    }
  }

  private affects(key: string, change: LogbookChange): boolean {
    if (change.reset) return true;
    const members = this.members.get(key);
    if (members === undefined) return false;
    for (const sessionId of change.sessions) if (members.has(sessionId)) return true;
    return false;
  }
}

let shared: { panels: GroupTimelinePanels; loaders: Map<string, () => Promise<GroupTimelineInput | undefined>>; disposable: vscode.Disposable } | undefined;

/**
 * Opens (or reveals) the timeline of one group, reading it with `load`. The panels live until the
 * returned disposable is disposed (push it into the extension's subscriptions; every call returns
 * the same one). A panel revived after a reload has no loader until the group is opened again.
 */
export function openGroupTimeline(services: LogbookViews, groupId: string, load: () => Promise<GroupTimelineInput | undefined>): vscode.Disposable {
  if (shared === undefined) {
    const loaders = new Map<string, () => Promise<GroupTimelineInput | undefined>>();
    const panels = new GroupTimelinePanels(services, async (id) => loaders.get(id)?.());
    const disposable = new vscode.Disposable(() => {
      panels.dispose();
      if (shared?.panels === panels) shared = undefined;
    });
    shared = { panels, loaders, disposable };
  }
  shared.loaders.set(groupId, load);
  shared.panels.show(groupId);
  return shared.disposable;
}
