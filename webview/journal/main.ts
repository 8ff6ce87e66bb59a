import { connect } from '../shared/channel';
import { h, replaceChildren } from '../shared/dom';
import type { JournalViewState, JournalWebviewMessage } from '../../src/protocol/journal';

// Placeholder journal view.
const app = document.getElementById('app') as HTMLElement;
const channel = connect<JournalViewState, JournalWebviewMessage>({
  onState: (state) => {
    channel.persist({ key: state.key, snapshot: state });
    replaceChildren(app, h('h1', {}, state.title));
  },
  onError: (message) => replaceChildren(app, h('div', { class: 'error-banner' }, message)),
});
