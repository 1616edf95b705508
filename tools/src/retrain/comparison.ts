/**
 * The candidate against the serving version, on the same cross-validation folds of the same photos
 * (the training photos and the reviewed uploads). The candidate's figure on a fold is its fold
 * model's on the held-out photos (its calibrated out-of-fold predictions). The serving version's
 * must be held out too, or it would be scored on photos it learned: for a photo in its own
 * out-of-fold file (the photos it was trained on, when it was trained on the same data folder) it is
 * that held-out prediction; for every other photo (new reviewed uploads) its model files predict,
 * as it would serve. Each fold's two figures are paired, and their difference is reported too.
 */
import path from 'node:path';
import { calibrate, type ModelManifest, type ModelType } from '@cataract/contracts';
import { defaultVersion, verifyVersion, type VerifiedVersion } from '@cataract/model-store';
import { photoName, repoRoot } from '../common/dataset';
import { binaryMetrics } from '../common/metrics';
import { foldSplit } from '../cv/folds';
import { readOofFile } from '../cv/oof-file';
import type { PhotoFolds } from '../cv/photo-folds';
import { fmtNum, fmtPct, spread, type Spread } from '../cv/summary';
import { describeRule, notWorse, type Tolerance } from './not-worse';

export interface ServingVersion {
  verified: VerifiedVersion;
  version: string;
  /** `default`: models/<type>/default; `--against`: named by the operator. */
  source: 'default' | '--against';
}

/** The version the candidate must not be worse than; undefined for an empty store (a first version). */
export async function findServing(modelsDir: string, type: ModelType, against?: string): Promise<ServingVersion | undefined> {
  const version = against ?? defaultVersion(modelsDir, type);
  if (version === undefined) return undefined;
  return { verified: await verifyVersion(modelsDir, type, version), version, source: against ? '--against' : 'default' };
}

/** Calibrated P(cataract) of the photos at `indices`, by the serving version's own files. */
export type LivePredictor = (serving: VerifiedVersion, indices: number[]) => Promise<number[]>;

function trainedOn(manifest: ModelManifest): string | undefined {
  const t = manifest.training as { data_dir?: unknown; data?: { dir?: unknown } } | undefined;
  const dir = t?.data_dir ?? t?.data?.dir;
  return typeof dir === 'string' ? path.resolve(repoRoot, dir) : undefined;
}

export interface ServingPredictions {
  p: Float64Array;
  outOfFold: number;
  predicted: number;
}

export async function servingHeldOut(serving: ServingVersion, pf: PhotoFolds, dataDir: string, live: LivePredictor): Promise<ServingPredictions> {
  const { manifest, location } = serving.verified;
  const oofFile = manifest.files?.['oof-predictions.json'] ? path.join(location.dir, 'oof-predictions.json') : undefined;
  const known = new Map<string, number>();
  if (oofFile) for (const x of (await readOofFile(oofFile)).predictions) known.set(x.file, (x as { p?: number }).p ?? x.calibrated.reduce((a, b) => a + b, 0) / x.calibrated.length);
  const sameData = trainedOn(manifest) === path.resolve(dataDir);
  const p = new Float64Array(pf.images.length);
  const rest: number[] = [];
  pf.images.forEach((img, i) => {
    const v = img.name !== undefined || sameData ? known.get(img.name ?? photoName(dataDir, img.path)) : undefined;
    if (v === undefined) rest.push(i);
    else p[i] = v;
  });
  const predicted = rest.length ? await live(serving.verified, rest) : [];
  rest.forEach((i, k) => (p[i] = manifest.calibration ? calibrate(predicted[k], manifest.calibration) : predicted[k]));
  return { p, outOfFold: pf.images.length - rest.length, predicted: rest.length };
}

export interface Comparison {
  against: { version: string; source: ServingVersion['source'] };
  folds: { k: number; repeats: number; seed: number; photos: number };
  serving_predictions: { out_of_fold: number; by_model_files: number };
  /** Over the k x repeats held-out folds. */
  candidate: { accuracy: Spread; auc: Spread };
  serving: { accuracy: Spread; auc: Spread };
  /** Candidate minus serving, fold by fold. */
  difference: { accuracy: Spread; auc: Spread };
  tolerance: Tolerance;
  rule: string;
  checks: string[];
  not_worse: boolean;
}

export function compareOnFolds(
  pf: PhotoFolds,
  candidate: readonly ArrayLike<number>[],
  serving: ServingVersion,
  sp: ServingPredictions,
  threshold: number,
  tolerance: Tolerance,
): Comparison {
  const acc = { c: [] as number[], s: [] as number[] };
  const auc = { c: [] as number[], s: [] as number[] };
  for (let r = 0; r < pf.plan.repeats; r++) {
    for (let f = 0; f < pf.plan.k; f++) {
      const { held } = foldSplit(pf.plan, r, f);
      const y = held.map((i) => pf.labels[i]);
      const mc = binaryMetrics(held.map((i) => candidate[r][i]), y, threshold);
      const ms = binaryMetrics(held.map((i) => sp.p[i]), y, threshold);
      acc.c.push(mc.accuracy);
      acc.s.push(ms.accuracy);
      auc.c.push(mc.auc);
      auc.s.push(ms.auc);
    }
  }
  const diff = (a: number[], b: number[]) => spread(a.map((v, i) => v - b[i]));
  const c = { accuracy: spread(acc.c), auc: spread(auc.c) };
  const s = { accuracy: spread(acc.s), auc: spread(auc.s) };
  const v = notWorse({ accuracy: c.accuracy.mean, auc: c.auc.mean }, { accuracy: s.accuracy.mean, auc: s.auc.mean }, tolerance);
  return {
    against: { version: serving.version, source: serving.source },
    folds: { k: pf.plan.k, repeats: pf.plan.repeats, seed: pf.plan.seed, photos: pf.images.length },
    serving_predictions: { out_of_fold: sp.outOfFold, by_model_files: sp.predicted },
    candidate: c,
    serving: s,
    difference: { accuracy: diff(acc.c, acc.s), auc: diff(auc.c, auc.s) },
    tolerance,
    rule: v.rule,
    checks: v.checks,
    not_worse: v.notWorse,
  };
}

/** Log lines and the model card's section. */
export function comparisonLines(c: Comparison): string[] {
  return [
    `candidate vs serving ${c.against.version} (${c.against.source}) on the same ${c.folds.k}-fold x ${c.folds.repeats} folds of ${c.folds.photos} photos (serving: ${c.serving_predictions.out_of_fold} out-of-fold predictions from its own file, ${c.serving_predictions.by_model_files} by its model files)`,
    `  accuracy per fold: candidate ${fmtPct(c.candidate.accuracy)}, serving ${fmtPct(c.serving.accuracy)}, difference ${fmtPct(c.difference.accuracy)}`,
    `  ROC-AUC per fold: candidate ${fmtNum(c.candidate.auc)}, serving ${fmtNum(c.serving.auc)}, difference ${fmtNum(c.difference.auc)}`,
    `  ${c.rule}: ${c.not_worse ? 'NOT WORSE' : 'WORSE'} (${c.checks.join('; ')})`,
  ];
}

export function comparisonCard(c: Comparison | undefined): string {
  if (!c) return '## Against the serving version\n\nNo version was serving when this one was trained (a first version): nothing to compare with.\n';
  return `## Against the serving version

${describeRule(c.tolerance)}. Both scored on the same ${c.folds.k}-fold x ${c.folds.repeats} folds (seed ${c.folds.seed}) of the ${c.folds.photos} photos this version learned from;
the serving version's figure on a photo is its own out-of-fold prediction where it has one (${c.serving_predictions.out_of_fold} photos)
and its model files' answer otherwise (${c.serving_predictions.by_model_files} photos it never saw). Mean ± sd over the folds:

| held out, per fold | this version | ${c.against.version} (${c.against.source}) | difference (paired) |
| --- | --- | --- | --- |
| accuracy | ${fmtPct(c.candidate.accuracy)} | ${fmtPct(c.serving.accuracy)} | ${fmtPct(c.difference.accuracy)} |
| ROC-AUC | ${fmtNum(c.candidate.auc)} | ${fmtNum(c.serving.auc)} | ${fmtNum(c.difference.auc)} |

Verdict: **${c.not_worse ? 'not worse' : 'worse'}** (${c.checks.join('; ')}).
`;
}

export { describeRule };
