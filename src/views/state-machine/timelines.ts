import { parseWorkflowDefinition, WORKFLOW_FILE } from '../../domain/workflow/definition';
import type { WorkflowDefinition } from '../../domain/workflow/types';
import { createTimeline, extendTimeline } from '../../projections/state-timeline';
import type { StateTimeline } from '../../projections/state-timeline';
import type { LogbookPaths } from '../../capture/paths';
import { readSafeText } from '../../capture/safe-fs';
import type { LogbookViews } from '../services';
import type { WorkspaceLogbook } from '../workspace-logbook';

// Each open state-machine view needs its session's events per state. A session's stream is read
// once and then only what was appended since (by stream position); a few recent sessions are kept.

interface Cached {
  readonly workspace: WorkspaceLogbook;
  readonly timeline: StateTimeline;
}

/** A session's timeline, caught up with its store. */
export interface SessionTimeline {
  readonly workspace: WorkspaceLogbook;
  readonly timeline: StateTimeline;
}

export class TimelineCache {
  private readonly entries = new Map<string, Cached>();

  constructor(private readonly max = 6) {}

  async get(views: LogbookViews, sessionId: string): Promise<SessionTimeline | undefined> {
    const found = views.findSession(sessionId);
    if (found === undefined) return undefined;
    const store = await found.workspace.store();
    if (store === undefined) return undefined;
    let cached = this.entries.get(sessionId);
    // A store replaced by a shorter one (rebuilt) or a session seen in another workspace: start over.
    if (cached === undefined || cached.workspace !== found.workspace || store.lastGlobalPosition() < cached.timeline.lastPosition) {
      cached = { workspace: found.workspace, timeline: createTimeline() };
    }
    this.entries.delete(sessionId);
    this.entries.set(sessionId, cached);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    extendTimeline(cached.timeline, store.readStream(sessionId, { from: cached.timeline.lastStreamPosition + 1 }));
    return cached;
  }
}

/** The workspace's workflow file as it is now (read-only: unlike loadWorkflow it compiles nothing for the hooks). */
export function currentDefinition(paths: LogbookPaths): WorkflowDefinition | null {
  try {
    const parsed = parseWorkflowDefinition(readSafeText(paths.workflow), WORKFLOW_FILE);
    return parsed.ok ? parsed.definition : null;
  } catch {
    return null;
  }
}
