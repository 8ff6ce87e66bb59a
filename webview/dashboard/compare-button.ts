import { h } from '../shared/dom';

// The header's "Compare" button: disabled until a row is selected (selection.ts), then saying
// what it will compare.

export class CompareButton {
  readonly element: HTMLElement;
  private readonly label = h('span', {}, 'Compare');

  constructor(run: () => void) {
    this.element = h('vscode-button', {
      secondary: true, disabled: true, 'data-testid': 'dashboard-compare', 'data-selected': 0,
      title: 'Ctrl/Cmd-click (or Space on) one or two rows: two are compared side by side, one with the median of the sessions shown',
      onclick: () => { if (!this.element.hasAttribute('disabled')) run(); },
    }, this.label);
  }

  show(selected: number): void {
    this.label.textContent = selected === 0 ? 'Compare' : selected === 1 ? 'Compare with median' : 'Compare 2';
    this.element.toggleAttribute('disabled', selected === 0);
    this.element.setAttribute('data-selected', String(selected));
  }
}
