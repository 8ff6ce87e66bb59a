import { h } from '../shared/dom';
import type { FigureDelta } from '../../src/protocol/compare';
import { formatDelta, formatPercent, formatValue, verdictOf, verdictText } from './model';

// Every figure of both sides: A, B, the delta (B − A) and its percent of A. A regression (B worse
// than A in duration, cost, failures, denials or rejections) is marked in words and in colour.

export function renderFigures(figures: readonly FigureDelta[], aName: string, bName: string): HTMLElement {
  return h('section', { class: 'figures', 'data-testid': 'compare-figures' },
    h('h2', {}, 'Figures'),
    h('table', { class: 'figure-table' },
      h('thead', {}, h('tr', {}, h('th', { class: 'label' }, 'Figure'), h('th', {}, aName), h('th', {}, bName), h('th', {}, 'Δ (B − A)'), h('th', {}, 'Δ %'), h('th', { class: 'verdict' }, ''))),
      h('tbody', {}, ...figures.map(figureRow))));
}

function figureRow(f: FigureDelta): HTMLElement {
  const verdict = verdictOf(f);
  return h('tr', { class: `figure v-${verdict}`, 'data-testid': 'compare-figure', 'data-key': f.key, 'data-verdict': verdict },
    h('td', { class: 'label', dir: 'auto' }, f.label),
    h('td', { class: 'num', 'data-col': 'a' }, formatValue(f.unit, f.a)),
    h('td', { class: 'num', 'data-col': 'b' }, formatValue(f.unit, f.b)),
    h('td', { class: 'num', 'data-col': 'delta' }, formatDelta(f)),
    h('td', { class: 'num', 'data-col': 'percent' }, formatPercent(f.percent)),
    h('td', { class: 'verdict', 'data-col': 'verdict' }, verdictText(verdict)));
}
