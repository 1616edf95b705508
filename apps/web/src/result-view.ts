/** Renders the result region: idle, busy, or one prediction (verdict, probability meter, per-model rows). */
import { h } from './dom';
import { formatDuration, formatPercent } from './format';
import { modelLabel } from './models';
import type { ModelRow, ResultModel } from './result-model';

const VERDICT_WORDS = { cataract: 'Cataract', normal: 'Normal' } as const;

export function renderIdle(region: HTMLElement, text: string): void {
  region.dataset.state = 'idle';
  region.replaceChildren(h('p', { class: 'placeholder' }, text));
}

export function renderBusy(region: HTMLElement): void {
  region.dataset.state = 'busy';
  region.replaceChildren(h('p', { class: 'busy' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Analysing the photo…'));
}

export function renderResult(region: HTMLElement, result: ResultModel): void {
  region.dataset.state = 'done';
  const who = result.modelUsed === 'ensemble' ? `Ensemble, ${result.strategy ?? 'weighted'}` : modelLabel(result.modelUsed);
  const parts: Array<Node | null> = [
    h(
      'div',
      { class: `verdict verdict-${result.verdict}`, 'data-verdict': result.verdict },
      h('p', { class: 'verdict-label' }, 'Verdict'),
      h('p', { class: 'verdict-value', id: 'verdict' }, VERDICT_WORDS[result.verdict]),
      h('p', { class: 'verdict-sub' }, `Confidence ${formatPercent(result.confidence)} · ${who}`),
    ),
    meter('main-meter', 'Probability of cataract', result.pCataract, true),
    result.notes.length > 0 ? h('ul', { class: 'notes' }, ...result.notes.map((n) => h('li', {}, n))) : null,
    h('h3', { class: 'models-heading' }, 'Each model'),
    h('ul', { class: 'model-list' }, ...result.rows.map(modelItem)),
    facts(result),
  ];
  region.replaceChildren(...parts.filter((p): p is Node => p !== null));
}

/** A horizontal bar for P(cataract) with role="meter" (0–100) so assistive tech reads the number. */
function meter(id: string, label: string, p: number, large: boolean): HTMLElement {
  const pct = Math.round(Math.min(1, Math.max(0, p)) * 1000) / 10;
  const fill = h('div', { class: 'meter-fill' });
  fill.style.width = `${pct}%`; // CSSOM, not an inline style attribute: allowed by a strict CSP
  const labelId = `${id}-label`;
  return h(
    'div',
    { class: large ? 'meter-block large' : 'meter-block' },
    h('div', { class: 'meter-caption', id: labelId }, h('span', {}, label), h('span', { class: 'meter-value' }, formatPercent(p))),
    h(
      'div',
      {
        class: 'meter',
        role: 'meter',
        'aria-labelledby': labelId,
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': String(pct),
        'aria-valuetext': `${formatPercent(p)} probability of cataract`,
        'data-testid': id,
      },
      fill,
      h('div', { class: 'meter-mid', 'aria-hidden': 'true' }),
    ),
    large ? h('div', { class: 'meter-scale', 'aria-hidden': 'true' }, h('span', {}, '0%'), h('span', {}, '50%'), h('span', {}, '100%')) : null,
  );
}

function modelItem(row: ModelRow): HTMLElement {
  const head = h(
    'div',
    { class: 'model-head' },
    h('span', { class: 'model-name' }, row.label),
    row.version ? h('span', { class: 'model-version' }, `version ${row.version}`) : null,
    row.description ? h('span', { class: 'model-desc' }, row.description) : null,
  );
  if (!row.answer) {
    return h('li', { class: `model model-${row.state}`, 'data-model': row.key }, head, h('p', { class: 'model-status' }, row.status ?? ''));
  }
  return h(
    'li',
    { class: 'model model-answered', 'data-model': row.key },
    head,
    h('p', { class: 'model-verdict' }, `${VERDICT_WORDS[row.answer.verdict]} · confidence ${formatPercent(row.answer.confidence)}`),
    meter(`meter-${row.key}`, 'Probability of cataract', row.answer.pCataract, false),
  );
}

function facts(result: ResultModel): HTMLElement {
  const dl = h('dl', { class: 'facts' });
  const add = (term: string, value: string | undefined): void => {
    if (value !== undefined) dl.append(h('dt', {}, term), h('dd', {}, value));
  };
  add('Processing time', result.processingSeconds !== undefined ? formatDuration(result.processingSeconds) : undefined);
  add('Strategy', result.modelUsed === 'ensemble' ? (result.strategy ?? 'weighted') : `single model (${modelLabel(result.modelUsed)})`);
  add('Weights', result.weights);
  // An ensemble's version string lists its members', already shown in each model's row.
  if (result.modelUsed !== 'ensemble') add('Version', result.modelVersion);
  add('Request id', result.requestId);
  return dl;
}
