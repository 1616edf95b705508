/** "Several photos at once": picks photos, sends them as one batch, and lists one verdict (or error) per photo. */
import { predictBatch } from './batch-api';
import { h } from './dom';
import { formatPercent } from './format';
import { describeError, type KeyProblem } from './messages';
import type { Strategy } from './prediction';

export interface BatchPanelElements {
  input: HTMLInputElement;
  choose: HTMLButtonElement;
  status: HTMLElement;
  list: HTMLOListElement;
}

export interface BatchPanelContext {
  apiKey(): string | undefined;
  strategy(): Strategy;
  askKey(problem: KeyProblem): void;
}

export function setupBatchPanel(els: BatchPanelElements, ctx: BatchPanelContext): void {
  els.choose.addEventListener('click', () => els.input.click());
  els.input.addEventListener('change', () => {
    const photos = Array.from(els.input.files ?? []);
    els.input.value = ''; // choosing the same photos again still fires `change`
    if (photos.length > 0) void run(photos);
  });

  const run = async (photos: File[]): Promise<void> => {
    els.choose.disabled = true;
    els.list.replaceChildren();
    els.status.textContent = `Analysing ${photos.length} photo${photos.length === 1 ? '' : 's'}…`;
    try {
      const { lines, summary } = await predictBatch(photos, ctx.strategy(), { apiKey: ctx.apiKey() });
      els.list.replaceChildren(
        ...lines.map((line, i) => {
          const name = photos[i]?.name || `Photo ${i + 1}`;
          return line.ok
            ? h('li', { 'data-verdict': line.prediction }, h('strong', {}, name), `: ${line.prediction === 'cataract' ? 'Cataract' : 'Normal'} (confidence ${formatPercent(line.confidence)})`)
            : h('li', { class: 'batch-error' }, h('strong', {}, name), `: no result (${line.message})`);
        }),
      );
      els.status.textContent = `${summary.ok} answered (${summary.cataract} cataract, ${summary.normal} normal), ${summary.failed} without a result.`;
    } catch (err) {
      const message = describeError(err);
      els.status.textContent = message.text;
      if (message.keyProblem) ctx.askKey(message.keyProblem);
    } finally {
      els.choose.disabled = false;
    }
  };
}
