import { h } from '../shared/dom';

/** A codicon glyph (the font is linked in the webview and inlined in an export). */
export function codicon(name: string, label?: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': label === undefined ? 'true' : undefined, title: label, role: label === undefined ? undefined : 'img', 'aria-label': label });
}
