/**
 * node tools/dist/choose-ensemble-weights.js (npm run train:ensemble)
 * Chooses the ensemble's combiner and cascade band on the members' out-of-fold predictions
 * (oof-predictions.json of the default lgbm and clip versions, or of --lgbm/--clip VERSION, written by
 * train:lgbm and train:clip with the same folds):
 * each candidate (lgbm alone, clip alone, weighted mean, logit stacking) is scored out of fold by
 * refitting it inside the cross-validation (ensemble/evaluate.ts); the best combiner that matches or
 * beats the best member in accuracy and AUC wins, else the best member alone. The cascade band is the
 * narrowest that scores at least as well as always asking both. Writes models/ensemble.json (read by
 * the gateway), models/ensemble.md and models/ensemble-reliability.png: the ensemble is not a model
 * type of the versioned store but the gateway's setting of how to combine the served members.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { defaultVersionDir, locateVersion } from '@cataract/model-store';
import { parseCli, repoRoot, runCli, writeFileAtomic, reproduceCommand } from './common';
import { readOofFile, round6, type OofFile } from './cv/oof-file';
import { reliabilityDiagram } from './cv/report';
import { fmtNum, fmtPct } from './cv/summary';
import { COMBINER_KINDS, fitCombiner, type CombinerKind } from './ensemble/combiners';
import { cascade, joinMembers, nestedPredictions, planOf, score, type CascadeScore, type Nested, type Scored } from './ensemble/evaluate';
import { renderEnsembleCard } from './ensemble/card';

const CLI = {
  models: { type: 'string', description: 'MODELS_DIR with lgbm/ and clip/', default: path.relative(process.cwd(), path.join(repoRoot, 'models')) || '.' },
  lgbm: { type: 'string', description: 'the lgbm version of the store whose out-of-fold predictions to use (default: models/lgbm/default)' },
  clip: { type: 'string', description: 'the clip version (default: models/clip/default); both must be trained on the same photos and folds' },
  out: { type: 'string', description: 'where to write the choice', default: path.relative(process.cwd(), path.join(repoRoot, 'models', 'ensemble.json')) },
} as const;

const THRESHOLD = 0.5;
const BAND_LO = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5];
const BAND_HI = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1];

async function main(): Promise<void> {
  const o = parseCli('node tools/dist/choose-ensemble-weights.js', CLI);
  if (!o) return;
  const modelsDir = path.resolve(o.models);
  const files = {
    lgbm: await readMember(modelsDir, 'lgbm', o.lgbm),
    clip: await readMember(modelsDir, 'clip', o.clip),
  };
  const rows = joinMembers(files.lgbm, files.clip);
  const cv = files.lgbm.cross_validation;
  const plan = planOf(rows, cv.k, cv.seed);
  console.log(`${rows.length} photos out of fold from lgbm ${files.lgbm.model} and clip ${files.clip.model}; ${cv.k}-fold x ${cv.repeats}`);

  const nested = {} as Record<CombinerKind, Nested>;
  const scored = {} as Record<CombinerKind, Scored>;
  for (const kind of COMBINER_KINDS) {
    nested[kind] = nestedPredictions(kind, rows, plan);
    scored[kind] = score(nested[kind], rows, plan, THRESHOLD);
    const s = scored[kind];
    console.log(`  ${kind.padEnd(5)}: accuracy ${fmtPct(s.plain.per_repeat.accuracy)} AUC per fold ${fmtNum(s.plain.per_fold.auc)} log-loss ${fmtNum(s.plain.per_repeat.log_loss)} ECE ${fmtNum(s.plain.per_repeat.ece)} | 256 px: accuracy ${fmtPct(s.reencoded_256.per_repeat.accuracy)}`);
  }
  const acc = (k: CombinerKind) => scored[k].plain.per_repeat.accuracy.mean;
  // AUC per held-out fold: pooling folds would also rank photos across fold models fitted on different photos.
  const auc = (k: CombinerKind) => scored[k].plain.per_fold.auc.mean;
  const loss = (k: CombinerKind) => scored[k].plain.per_repeat.log_loss.mean;
  const better = (a: CombinerKind, b: CombinerKind) => acc(a) - acc(b) || auc(a) - auc(b) || loss(b) - loss(a);
  const bestMember = (['lgbm', 'clip'] as const).reduce((a, b) => (better(b, a) > 0 ? b : a));
  const floor = { accuracy: Math.max(acc('lgbm'), acc('clip')), auc: Math.max(auc('lgbm'), auc('clip')) };
  const eligible = (['mean', 'logit'] as const).filter((k) => acc(k) >= floor.accuracy && auc(k) >= floor.auc);
  const chosen: CombinerKind = eligible.length ? eligible.reduce((a, b) => (better(b, a) > 0 ? b : a)) : bestMember;
  const verdict = eligible.length
    ? `${chosen} matches or beats both members out of fold (accuracy and AUC)`
    : `no combiner matched the best member in both accuracy and AUC out of fold: the ensemble trusts ${bestMember} alone`;
  console.log(`chosen: ${chosen} (${verdict})`);

  const bands: CascadeScore[] = [];
  for (const lo of BAND_LO) for (const hi of BAND_HI) if (lo <= hi) bands.push(cascade(nested[chosen], rows, plan, [lo, hi], THRESHOLD));
  const always = scored[chosen].plain.per_repeat;
  const ok = bands.filter((b) => b.plain.per_repeat.accuracy.mean >= always.accuracy.mean && b.plain.per_fold.auc.mean >= floor.auc);
  const band = (ok.length ? ok : bands.filter((b) => b.band[0] === 0 && b.band[1] === 1)).reduce((a, b) => (b.clip_call_rate < a.clip_call_rate ? b : a));
  console.log(`cascade band ${band.band.join('-')}: clip asked for ${(band.clip_call_rate * 100).toFixed(1)} % of photos; accuracy ${fmtPct(band.plain.per_repeat.accuracy)} AUC per fold ${fmtNum(band.plain.per_fold.auc)}`);

  // The served combiner: fitted on every repeat's out-of-fold predictions pooled.
  const pooled = rows.flatMap((x) => x.lgbm.p.map((_, r) => ({ p: { lgbm: x.lgbm.p[r], clip: x.clip.p[r] }, y: x.label })));
  const fitted = fitCombiner(chosen, pooled.map((x) => x.p), pooled.map((x) => x.y));
  const command = reproduceCommand('train:ensemble');
  const out = {
    weights: fitted.weights,
    threshold: THRESHOLD,
    combiner: fitted.combiner,
    cascade_band: band.band,
    chosen,
    verdict,
    method:
      'candidates lgbm alone, clip alone, weighted mean (clip weight 0..1 step 0.05, lowest log-loss) and logit stacking, each on the members\' calibrated out-of-fold ' +
      'P(cataract) and scored out of fold by refitting it inside the members\' own cross-validation folds; the most accurate (ties: AUC, log-loss) combiner that matches or ' +
      'beats the best member in mean accuracy (per repeat) and mean AUC (per held-out fold) wins, else the best member alone; fitted for serving on all out-of-fold predictions. Cascade band: the one asking clip ' +
      'least whose accuracy is at least the always-ask accuracy and whose per-fold AUC is at least the best member\'s.',
    models: { lgbm: files.lgbm.model, clip: files.clip.model },
    cross_validation: files.lgbm.cross_validation,
    candidates: Object.fromEntries(COMBINER_KINDS.map((k) => [k, scored[k]])),
    cascade: { ...band, predictions: undefined },
    cascade_grid: bands.map((b) => ({ band: b.band, clip_call_rate: b.clip_call_rate, accuracy: b.plain.per_repeat.accuracy.mean, auc_per_fold: b.plain.per_fold.auc.mean })),
    date: new Date().toISOString(),
    command,
  };
  const outPath = path.resolve(o.out);
  await writeFileAtomic(outPath, JSON.stringify(out, null, 2) + '\n');
  const png = await reliabilityDiagram(`ensemble (${chosen}): out-of-fold, ${cv.k}-fold x ${cv.repeats}`, rows.map((x) => x.label), nested.mean.p, nested[chosen].p, ['weighted mean (nested)', `${chosen} (nested, served)`]);
  await writeFileAtomic(path.join(path.dirname(outPath), 'ensemble-reliability.png'), png);
  await writeFileAtomic(path.join(path.dirname(outPath), 'ensemble.md'), renderEnsembleCard({ out, scored, band, command }));
  // The strategies' own out-of-fold predictions, in the members' file format (npm run eval reads them).
  const dir = path.dirname(outPath);
  await writeFileAtomic(path.join(dir, 'ensemble-oof-predictions.json'), oofFile(`ensemble:${chosen}`, files.lgbm, nested[chosen]));
  await writeFileAtomic(path.join(dir, 'ensemble-cascade-oof-predictions.json'), oofFile(`ensemble:cascade ${band.band.join('-')}`, files.lgbm, band.predictions));
  console.log(`wrote ${path.relative(process.cwd(), outPath)}, ensemble.md, ensemble-reliability.png, ensemble-oof-predictions.json, ensemble-cascade-oof-predictions.json`);
}

/** Nested out-of-fold predictions as an oof-predictions.json (raw = calibrated: a combiner's output is its answer). */
function oofFile(model: string, like: OofFile, n: Nested): string {
  const col = (xs: number[][], i: number) => xs.map((x) => round6(x[i]));
  return (
    JSON.stringify({
      model,
      cross_validation: like.cross_validation,
      threshold: THRESHOLD,
      predictions: like.predictions.map((x, i) => ({
        file: x.file,
        label: x.label,
        group: x.group,
        folds: x.folds,
        raw: col(n.p, i),
        calibrated: col(n.p, i),
        raw_reencoded_256: col(n.re, i),
        calibrated_reencoded_256: col(n.re, i),
        p: round6(n.p.reduce((s, r) => s + r[i], 0) / n.p.length),
      })),
    }) + '\n'
  );
}

async function readMember(modelsDir: string, name: 'lgbm' | 'clip', version?: string): Promise<OofFile> {
  const dir = version === undefined ? defaultVersionDir(modelsDir, name) : locateVersion(modelsDir, name, version).dir;
  if (!dir) throw new Error(`no ${name} model in ${modelsDir}`);
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { version: string };
  const file = await readOofFile(path.join(dir, 'oof-predictions.json'));
  if (file.model !== manifest.version) throw new Error(`${name}/oof-predictions.json is for ${file.model}, the manifest serves ${manifest.version}`);
  return file;
}

runCli(main);
