/**
 * Out-of-fold figures of an ensemble combiner without tuning it on the photos it scores: the members'
 * out-of-fold predictions carry the cross-validation's folds, and for each repeat and fold the
 * combiner is fitted on the other folds' photos and applied to the held-out ones (nested). The
 * cascade is scored from the same nested predictions: lgbm alone outside the band, the combiner
 * inside it.
 */
import type { FoldPlan } from '../cv/folds';
import type { OofFile } from '../cv/oof-file';
import { cvFigures, type CvFigures } from '../cv/summary';
import { combine, fitCombiner, type CombinerKind, type MemberP } from './combiners';

export interface JoinedPhoto {
  file: string;
  label: 0 | 1;
  folds: number[];
  /** Cross-fitted calibrated out-of-fold P(cataract) per repeat, plain and re-encoded 256 px. */
  lgbm: { p: number[]; re: number[] };
  clip: { p: number[]; re: number[] };
}

/** The same photos with the same folds in both files, or an error naming the difference. */
export function joinMembers(lgbm: OofFile, clip: OofFile): JoinedPhoto[] {
  const byFile = new Map(clip.predictions.map((c) => [c.file, c]));
  if (clip.predictions.length !== lgbm.predictions.length) throw new Error(`lgbm has ${lgbm.predictions.length} photos, clip ${clip.predictions.length}`);
  return lgbm.predictions.map((l) => {
    const c = byFile.get(l.file);
    if (!c) throw new Error(`${l.file}: no clip prediction`);
    if (c.label !== l.label || c.folds.join() !== l.folds.join()) throw new Error(`${l.file}: label or folds differ between the models (train both with the same CV options)`);
    return { file: l.file, label: l.label === 'cataract' ? 1 : 0, folds: l.folds, lgbm: { p: l.calibrated, re: l.calibrated_reencoded_256 }, clip: { p: c.calibrated, re: c.calibrated_reencoded_256 } };
  });
}

export function planOf(rows: readonly JoinedPhoto[], k: number, seed: number): FoldPlan {
  const repeats = rows[0].folds.length;
  return { k, repeats, seed, fold: Array.from({ length: repeats }, (_, r) => Int32Array.from(rows, (x) => x.folds[r])) };
}

const member = (x: JoinedPhoto, r: number, re = false): MemberP => ({ lgbm: re ? x.lgbm.re[r] : x.lgbm.p[r], clip: re ? x.clip.re[r] : x.clip.p[r] });

export interface Nested {
  p: number[][];
  re: number[][];
}

export function nestedPredictions(kind: CombinerKind, rows: readonly JoinedPhoto[], plan: FoldPlan): Nested {
  const p = Array.from({ length: plan.repeats }, () => new Array<number>(rows.length));
  const re = Array.from({ length: plan.repeats }, () => new Array<number>(rows.length));
  for (let r = 0; r < plan.repeats; r++) {
    for (let f = 0; f < plan.k; f++) {
      const fit = rows.filter((_, i) => plan.fold[r][i] !== f);
      const fitted = fitCombiner(kind, fit.map((x) => member(x, r)), fit.map((x) => x.label));
      rows.forEach((x, i) => {
        if (plan.fold[r][i] !== f) return;
        p[r][i] = combine(fitted, member(x, r));
        re[r][i] = combine(fitted, member(x, r, true));
      });
    }
  }
  return { p, re };
}

export interface Scored {
  plain: CvFigures;
  reencoded_256: CvFigures;
}

export function score(n: Nested, rows: readonly JoinedPhoto[], plan: FoldPlan, threshold: number): Scored {
  const y = rows.map((x) => x.label);
  return { plain: cvFigures(plan, y, n.p, threshold), reencoded_256: cvFigures(plan, y, n.re, threshold) };
}

export interface CascadeScore extends Scored {
  band: [number, number];
  /** The cascade's own out-of-fold predictions. */
  predictions: Nested;
  /** Share of photos (mean over repeats) whose lgbm answer fell in the band, i.e. that asked clip. */
  clip_call_rate: number;
}

/** lgbm's calibrated P outside the band, the nested combiner's P inside it. */
export function cascade(combined: Nested, rows: readonly JoinedPhoto[], plan: FoldPlan, band: [number, number], threshold: number): CascadeScore {
  const inBand = (p: number) => p >= band[0] && p <= band[1];
  let calls = 0;
  const pick = (which: 'p' | 're') =>
    combined[which].map((ps, r) =>
      ps.map((v, i) => {
        const l = which === 'p' ? rows[i].lgbm.p[r] : rows[i].lgbm.re[r];
        if (which === 'p' && inBand(l)) calls++;
        return inBand(l) ? v : l;
      }),
    );
  const n: Nested = { p: pick('p'), re: pick('re') };
  return { band, predictions: n, clip_call_rate: calls / (rows.length * plan.repeats), ...score(n, rows, plan, threshold) };
}
