import * as vscode from 'vscode';
import { timelineSnapshot } from '../../read/member-folds';
import type { GroupTimelineSource } from '../../read/member-folds';
import { groupTimelineWebviewMessage } from '../../protocol/group-timeline';
import { encodeGroupTimeline } from '../../protocol/group-timeline-wire';
import type { GroupTimelineState, GroupTimelineWebviewMessage } from '../../protocol/group-timeline';
import { PanelManager } from '../panel-manager';
import type { PanelSpec } from '../panel-manager';
import type { LogbookChange, LogbookViews } from '../services';

// The unified timeline panel (viewType logbook.groupTimeline, one per group id). Reading a group
// is injected (the group reader owns it); this file builds the model from the members' folds
// (src/read/member-folds.ts), sends it on `ready` and whenever one of the group's members gets
// events (the panel manager throttles that, and only while the panel is visible), and opens a
// clicked event in its session's report. A webview's message is untrusted: `open` must name a
// member of the panel's group.
//
// Reading starts when the panel is created, while VS Code makes the webview. The first frame does
// not wait for every member's events: what is read by then, plus what the folds catch up within
// FIRST_FRAME_BUDGET_MS (src/read/member-folds.ts), is drawn; the rest of each member as an
// outline up to its last event. The rest is read in slices (in the store's order, so the lanes
// fill from the left), the panel redrawn as it fills (at most every PROGRESS_MS) and once more
// when all is read, with the file and commit hand-offs then.

export type GroupTimelineLoader = (groupId: string) => Promise<GroupTimelineSource | undefined>;

export const GROUP_TIMELINE_VIEW_TYPE = 'logbook.groupTimeline';
/** A group's model is rebuilt from all its members' folds: at most this often while they run. */
const REFRESH_MS = 1000;
/** While the rest is read, the panel is redrawn at most this often. */
const PROGRESS_MS = 400;

/**
 * The panels of every open group timeline; `show` creates or reveals one. Made at activation (its
 * serializer brings a panel back after a reload, read by its group id). Register it for disposal.
 */
export class GroupTimelinePanels implements vscode.Disposable {
  private readonly manager: PanelManager<GroupTimelineState, GroupTimelineWebviewMessage>;
  /** Member ids of each open group, as last loaded: which store changes concern which panel. */
  private readonly members = new Map<string, ReadonlySet<string>>();
  /** Groups whose members are being read after their first frame. */
  private readonly filling = new Set<string>();

  constructor(private readonly services: LogbookViews, private readonly load: GroupTimelineLoader) {
    this.manager = new PanelManager(this.spec(), services, REFRESH_MS);
  }

  show(groupId: string): void {
    this.manager.show(groupId);
    // VS Code takes a while to create the webview: its members are read meanwhile, so the first
    // snapshot (on the webview's `ready`) finds them read, or most of them.
    void this.load(groupId).then((source) => {
      if (source !== undefined) this.fill(groupId, source);
    }, (error: unknown) => this.services.log(`group timeline ${groupId.slice(0, 80)}: ${error instanceof Error ? error.message : String(error)}`));
  }

  openKeys(): string[] {
    return this.manager.openKeys();
  }

  dispose(): void {
    this.manager.dispose();
    this.members.clear();
  }

  private spec(): PanelSpec<GroupTimelineState, GroupTimelineWebviewMessage> {
    return {
      viewType: GROUP_TIMELINE_VIEW_TYPE,
      view: 'group-timeline',
      title: (key) => `Timeline ${key.slice(0, 40)}`,
      messages: groupTimelineWebviewMessage,
      snapshot: async (key) => {
        const source = await this.load(key);
        if (source === undefined) return undefined;
        const ids = source.group.members.map((m) => m.sessionId);
        this.members.set(key, new Set(ids));
        const { model, behind } = timelineSnapshot(source);
        if (behind.size > 0) this.fill(key, source);
        // As the JSON text of its wire form: one compact string crosses VS Code's IPC and the webview's postMessage far faster than the model's objects.
        return JSON.stringify(encodeGroupTimeline(model));
      },
      handle: async (key, message) => this.handle(key, message),
      affects: (key, change) => this.affects(key, change),
    };
  }

  // Reads the rest of the members' events after the first frame; the panel is redrawn as it fills.
  private fill(key: string, source: GroupTimelineSource): void {
    if (this.filling.has(key)) return;
    const ids = source.group.members.map((m) => m.sessionId);
    this.filling.add(key);
    let shown = performance.now();
    void source.folds.catchUpAll(source.store, ids, () => {
      if (performance.now() - shown < PROGRESS_MS) return;
      shown = performance.now();
      this.manager.refresh(key);
    }).catch((error: unknown) => {
      this.services.log(`group timeline ${key.slice(0, 80)}: reading its members failed: ${error instanceof Error ? error.message : String(error)}`);
    }).finally(() => {
      this.filling.delete(key);
      this.manager.refresh(key);
    });
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
