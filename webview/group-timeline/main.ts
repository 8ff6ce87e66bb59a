import './style.css';
import type { GroupTimelineState, GroupTimelineWebviewMessage, StaticGroupTimelineData } from '../../src/protocol/group-timeline';
import { connect } from '../shared/channel';
import { decodeGroupTimeline } from '../../src/protocol/group-timeline-wire';
import { GroupTimelineView } from './view';

// The unified timeline of a group of sessions. In a VS Code webview the model comes from the
// extension host and a click asks it to open the event in its session's report; in an exported
// HTML file (a data block is embedded) the page draws its embedded model and says which event a
// click names. Either way the model comes in its wire form (group-timeline-wire.ts), checked as
// it is decoded, before it is drawn.

const DATA_ID = 'group-timeline-data';
const root = document.getElementById('app') as HTMLElement;
const embedded = document.getElementById(DATA_ID);

if (embedded !== null) startStatic(embedded.textContent ?? 'null');
else startLive();

function startStatic(json: string): void {
  const view = new GroupTimelineView(root, {
    open: (sessionId, position) => {
      view.showNote(`Event #${position ?? '?'} of session ${sessionId}: open it with "logbook report ${sessionId} --html FILE" or in VS Code.`);
    },
  });
  let data: Partial<StaticGroupTimelineData> | null = null;
  try {
    data = JSON.parse(json) as Partial<StaticGroupTimelineData> | null;
  } catch {
    data = null;
  }
  const checked = data?.format === 'agent-logbook-group-timeline' ? decodeGroupTimeline(data.timeline) : { ok: false as const, problem: 'this page holds no group timeline' };
  if (checked.ok) view.setModel(checked.model);
  else view.showError(`Cannot draw this timeline: ${checked.problem}`);
}

function startLive(): void {
  let key: string | undefined;
  const view = new GroupTimelineView(root, {
    open: (sessionId, position) => channel.post({ type: 'open', sessionId, position }),
  });
  const channel = connect<GroupTimelineState, GroupTimelineWebviewMessage>({
    onState: (state) => {
      // The host sends the model's wire form as JSON text (GroupTimelineState).
      let model: unknown;
      try {
        if (typeof state !== 'string') throw new TypeError('not text');
        model = JSON.parse(state);
      } catch {
        view.showError('The extension sent a timeline that is not JSON text.');
        return;
      }
      const checked = decodeGroupTimeline(model);
      if (!checked.ok) {
        view.showError(`The extension sent a timeline this view cannot draw: ${checked.problem}`);
        return;
      }
      view.setModel(checked.model);
      if (key !== checked.model.groupId) {
        key = checked.model.groupId;
        // Only the key: the host sends the model again after a reload.
        channel.persist({ key });
      }
    },
    onError: (message) => view.showError(message),
  });
  // `ready` is posted: while the host builds the first model, the page readies its canvas.
  setTimeout(() => view.warm(), 0);
}
