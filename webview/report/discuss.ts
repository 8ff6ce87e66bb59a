import { h } from '../shared/dom';
import { codicon } from './codicon';

// The "Discuss with Claude" tab: the prompt built from the analysis, to copy or (in VS Code) to
// start Claude Code with in a new terminal.

export interface DiscussActions {
  readonly live: boolean;
  copy(): Promise<boolean>;
  terminal(): void;
}

export function renderDiscuss(prompt: string, actions: DiscussActions): HTMLElement {
  const status = h('span', { class: 'muted', 'data-testid': 'discuss-status', role: 'status' });
  const text = h('pre', { class: 'prompt', 'data-testid': 'discuss-prompt', tabindex: 0 }, prompt);
  const copy = async (): Promise<void> => {
    const ok = await actions.copy();
    status.textContent = ok ? 'Copied.' : 'Could not copy here: select the text and copy it.';
    if (!ok) window.getSelection()?.selectAllChildren(text);
  };
  return h('section', { class: 'discuss', 'data-testid': 'discuss' },
    h('p', {}, 'A prompt built from this report: the numbers, the insights, the denials, failures and the journal. Text from the session is quoted as data.'),
    h('div', { class: 'toolbar' },
      h('vscode-button', { 'data-testid': 'discuss-copy', onclick: () => void copy() }, codicon('copy'), ' Copy'),
      actions.live ? h('vscode-button', { secondary: true, 'data-testid': 'discuss-terminal', title: 'Starts `claude` with this prompt in a new terminal named "Claude"', onclick: () => actions.terminal() }, codicon('terminal'), ' Send to terminal') : null,
      status),
    actions.live ? h('p', { class: 'muted' }, '"Send to terminal" opens a new terminal named "Claude" running claude with this prompt as its first message (in the session\'s folder).') : null,
    text);
}
