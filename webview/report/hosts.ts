import { connect } from '../shared/channel';
import { LogQuery, matchesTokens, searchTokens } from '../../src/projections/event-log';
import type { EventQuery, EventRow } from '../../src/projections/event-log';
import type { EventDetail, ReportUiState } from '../../src/protocol/event-log';
import type { ReportViewState, ReportWebviewMessage, StaticReportData } from '../../src/protocol/report';

// The renderer talks to a "host" through this port. In VS Code the host is the extension (messages
// over the one channel, snapshots back). In an exported HTML file there is no host: the page
// plays it itself over its embedded events, with the same query module the extension runs.

export interface ReportPort {
  readonly mode: 'live' | 'static';
  /** The UI state saved before a reload, if any. */
  readonly restored: ReportUiState | undefined;
  query(query: EventQuery, offset: number, limit: number): void;
  window(offset: number, limit: number): void;
  select(position: number | null): void;
  copyPrompt(prompt: string): Promise<boolean>;
  /** Live only: start Claude Code in a terminal with the prompt. */
  sendToTerminal(): void;
  /** Live only: save the report as an HTML file. */
  exportHtml(): void;
  persist(key: string, ui: ReportUiState): void;
}

export interface PortHandlers {
  onState(state: ReportViewState): void;
  onError(message: string): void;
}

/** The webview's port: every request is a message; snapshots arrive through onState. */
export function livePort(handlers: PortHandlers): ReportPort {
  const channel = connect<ReportViewState, ReportWebviewMessage, ReportUiState>(handlers);
  return {
    mode: 'live',
    restored: channel.restored?.ui,
    query: (query, offset, limit) => channel.post({ type: 'log/query', query, offset, limit }),
    window: (offset, limit) => channel.post({ type: 'log/window', offset, limit }),
    select: (position) => channel.post({ type: 'log/select', position }),
    copyPrompt: async () => {
      // The host copies the prompt it built itself: the webview's text is never trusted.
      channel.post({ type: 'discuss/copy' });
      return true;
    },
    sendToTerminal: () => channel.post({ type: 'discuss/terminal' }),
    exportHtml: () => channel.post({ type: 'export/html' }),
    persist: (key, ui) => channel.persist({ key, ui }),
  };
}

/** The exported page's port: queries run here, over the embedded events. */
export function staticPort(data: StaticReportData, handlers: PortHandlers): ReportPort {
  const rows: EventRow[] = data.events.map((e) => e.row);
  const texts = new Map(data.events.map((e) => [e.row.position, e.text]));
  const details = new Map<number, EventDetail>(data.events.map((e) => [e.row.position, e.detail]));
  let query: EventQuery = { text: '', type: [], tool: [], state: [], workflow: [], outcome: [], positions: null };
  let result = new LogQuery(query, null).update(rows);
  let offset = 0;
  let limit = 200;
  let selected: number | null = null;
  const emit = (): void => {
    const window = result.window(rows, offset, limit);
    handlers.onState({
      key: data.key, title: data.title, mode: 'static', revision: data.revision, report: data.report, timeline: data.timeline,
      insights: data.insights, prompt: data.prompt, note: data.note,
      log: {
        query, total: result.total, unfiltered: rows.length, facets: result.facets(), offset: window.offset, rows: window.rows,
        selected: selected === null ? null : details.get(selected) ?? null, problem: null,
      },
    });
  };
  // After the renderer has subscribed, like a host's first snapshot.
  queueMicrotask(emit);
  return {
    mode: 'static',
    restored: undefined,
    query: (next, nextOffset, nextLimit) => {
      const tokens = searchTokens(next.text);
      query = next;
      result = new LogQuery(next, tokens.length === 0 ? null : (row) => matchesTokens(tokens, texts.get(row.position) ?? '')).update(rows);
      [offset, limit] = [nextOffset, nextLimit];
      emit();
    },
    window: (nextOffset, nextLimit) => {
      [offset, limit] = [nextOffset, nextLimit];
      emit();
    },
    select: (position) => {
      selected = position;
      emit();
    },
    copyPrompt: async (prompt) => {
      try {
        await navigator.clipboard.writeText(prompt);
        return true;
      } catch {
        return false;
      }
    },
    sendToTerminal: () => undefined,
    exportHtml: () => undefined,
    persist: () => undefined,
  };
}

/** The embedded data of an exported page, or undefined in a webview. */
export function embeddedData(): StaticReportData | undefined {
  const element = document.getElementById('report-data');
  if (element === null) return undefined;
  const data = JSON.parse(element.textContent ?? 'null') as StaticReportData | null;
  return data !== null && data.format === 'agent-logbook-report' ? data : undefined;
}
