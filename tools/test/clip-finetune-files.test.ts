import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFinetuneCv, readFinetuneFit } from '../src/clip/finetune-files';
import { renderFinetunedCard } from '../src/clip/finetuned-card';
import { buildCvReport } from '../src/cv/report';
import { cvFigures } from '../src/cv/summary';
import { repeatedGroupedFolds } from '../src/cv/folds';
import type { PhotoFolds } from '../src/cv/photo-folds';

describe('clip_finetune.py output files and the fine-tuned model card', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'clipft-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, v: unknown) => {
    const f = path.join(dir, name);
    writeFileSync(f, JSON.stringify(v));
    return f;
  };
  const photo = { file: 'cataract/a.png', label: 1, fold: 2, frozen: 0.8, fine_tuned: 0.9, frozen_reencoded_256: 0.7, fine_tuned_reencoded_256: null };

  test('reads a cv file (a fold not run is null) and a fit record', async () => {
    const cv = await readFinetuneCv(write('cv.json', { repeat: 0, command: 'x', settings: { lr: 1e-4 }, predictions: [photo], extra: 1 }));
    expect(cv.predictions[0].fine_tuned_reencoded_256).toBeNull();
    const fit = await readFinetuneFit(
      write('fit.json', { command: 'c', source_version: 'clip-1', settings: {}, photometric: null, photometric_exported: 4, rows: 10, fine_tuned_weights: { 'Conv_1/W': [1280, 320, 1, 1] }, probe: [{ file: 'normal/b.png', row: 3, p_cataract: 0.1 }] }),
    );
    expect(fit.probe[0].p_cataract).toBe(0.1);
  });

  test('refuses probabilities outside [0, 1], a missing repeat and an empty probe, naming the field', async () => {
    await expect(readFinetuneCv(write('a.json', { repeat: 0, command: 'x', settings: {}, predictions: [{ ...photo, fine_tuned: 1.5 }] }))).rejects.toThrow(/predictions\.0\.fine_tuned/);
    await expect(readFinetuneCv(write('b.json', { command: 'x', settings: {}, predictions: [photo] }))).rejects.toThrow(/repeat/);
    await expect(readFinetuneFit(write('c.json', { command: 'c', source_version: 'v', settings: {}, photometric: 2, photometric_exported: 2, rows: 1, fine_tuned_weights: {}, probe: [] }))).rejects.toThrow(/probe/);
  });

  test('the card carries the cross-validated figures of both models, the settings and the commands', () => {
    const n = 40;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const group = Array.from({ length: n }, (_, i) => i);
    const plan = repeatedGroupedFolds(labels, group, 5, 1, 42);
    const pf = { images: group.map((i) => ({ path: `/d/${i % 2 ? 'cataract' : 'normal'}/${i}.png`, label: i % 2 ? 'cataract' : 'normal' })), labels, duplicates: { group, groups: n, linked: [], maxDistance: 10 }, plan } as unknown as PhotoFolds;
    const good = [Float64Array.from(labels, (y, i) => (i === 0 ? 0.9 : y ? 0.8 : 0.2))]; // one error: photo 0 (normal) at 0.9
    const frozenP = [Float64Array.from(labels, (y, i) => (i < 4 ? 1 - (y ? 0.8 : 0.2) : y ? 0.7 : 0.3))]; // four errors
    const { report } = buildCvReport(pf, good, good, 0.5);
    const card = renderFinetunedCard({
      version: 'clip-20261207-abcdef12', sha256: 'f'.repeat(64), modelBytes: 9_000_000, threshold: 0.5, calibration: report.calibration, report,
      frozen: cvFigures(plan, labels, frozenP, 0.5), frozenReencoded: cvFigures(plan, labels, frozenP, 0.5),
      settings: { cut: 'block_14_add', lr: 1e-4 }, fineTuned: ['Conv_1/W'], commands: ['npm run export:clip-tensors -- --out DIR'], sourceVersion: 'clip-20261207-ff4377b9',
    });
    expect(card).toContain('| accuracy, per repeat | 90.00 % ± 0.00 | 97.50 % ± 0.00 |');
    expect(card).toContain('| false / missed cataract | 2.0 / 2.0 | 1.0 / 0.0 |');
    expect(card).toContain('"cut":"block_14_add"');
    expect(card).toContain('npm run export:clip-tensors -- --out DIR');
    expect(card).toContain('9.00 MB');
  });
});
