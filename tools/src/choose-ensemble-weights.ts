/**
 * node tools/dist/choose-ensemble-weights.js [--criterion accuracy|log_loss] [--step 0.05] ...
 * Chooses the ensemble's default weights on the validation split both models held out: clip's
 * recorded per-photo predictions (models/clip/validation-predictions.json) joined with lgbm's,
 * recomputed from the committed model, as stored and re-encoded (256 px, q85). Writes
 * models/ensemble.json (weights, how they were chosen, every grid point's metrics), which the
 * gateway reads as its default (env ENSEMBLE_WEIGHTS overrides).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OnnxManifestSchema } from '@cataract/contracts';
import { defaultVersionDir } from '@cataract/model-store';
import { defaultDataDir, parseCli, repoRoot, runCli, UsageError, writeFileAtomic, numberOption, intOption } from './common';
import { lgbmValidationPredictions, REENCODE_256 } from './ensemble/lgbm-validation';
import type { ValidationPrediction } from './lgbm/predictions-file';
import { cascadeReport, chooseWeights, Criterion, evaluateGrid, JoinedPrediction, SetScore } from './ensemble/weight-grid';

const CLI = {
  data: { type: 'string', description: 'photos the models were trained on: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  models: { type: 'string', description: 'MODELS_DIR with lgbm/ and clip/', default: path.relative(process.cwd(), path.join(repoRoot, 'models')) || '.' },
  out: { type: 'string', description: 'where to write the choice', default: path.relative(process.cwd(), path.join(repoRoot, 'models', 'ensemble.json')) },
  criterion: { type: 'string', description: 'accuracy (highest; ties by AUC, then log-loss) or log_loss (lowest)', default: 'accuracy' },
  step: { type: 'string', description: 'grid step of the clip weight', default: '0.05' },
  band: { type: 'string', description: 'cascade band reported for the chosen weights', default: '0.2-0.8' },
  concurrency: { type: 'string', description: 'photos decoded in parallel', default: '4' },
} as const;

const THRESHOLD = 0.5;

async function main(): Promise<void> {
  const o = parseCli('node tools/dist/choose-ensemble-weights.js', CLI);
  if (!o) return;
  const criterion = o.criterion as Criterion;
  if (criterion !== 'log_loss' && criterion !== 'accuracy') throw new UsageError(`--criterion must be log_loss or accuracy, got "${o.criterion}"`);
  const step = numberOption('step', o.step, 0.05);
  const band = o.band.split('-').map(Number) as [number, number];
  if (band.length !== 2 || !(band[0] >= 0 && band[0] <= band[1] && band[1] <= 1)) throw new UsageError(`--band must be lo-hi within [0, 1], got "${o.band}"`);
  const dataDir = path.resolve(o.data);
  const modelsDir = path.resolve(o.models);

  const clipDir = defaultVersionDir(modelsDir, 'clip');
  if (!clipDir) throw new UsageError(`no clip model in ${modelsDir}`);
  const clipManifest = OnnxManifestSchema.parse(JSON.parse(await readFile(path.join(clipDir, 'manifest.json'), 'utf8')));
  const clipFile = JSON.parse(await readFile(path.join(clipDir, 'validation-predictions.json'), 'utf8')) as { model: string; predictions: ValidationPrediction[] };
  if (clipFile.model !== clipManifest.version) throw new Error(`clip validation-predictions.json is for ${clipFile.model}, the manifest serves ${clipManifest.version}`);
  console.log(`clip ${clipManifest.version}: ${clipFile.predictions.length} recorded validation predictions`);
  const lgbm = await lgbmValidationPredictions({ dataDir, modelsDir, concurrency: intOption('concurrency', o.concurrency, 4) });
  console.log(`lgbm ${lgbm.version}: ${lgbm.predictions.length} validation predictions (${lgbm.source}; their metrics match its manifest)`);

  const rows = join(lgbm.predictions, clipFile.predictions);
  const grid = evaluateGrid(rows, step, THRESHOLD);
  const chosen = chooseWeights(grid, criterion);
  const other = chooseWeights(grid, criterion === 'accuracy' ? 'log_loss' : 'accuracy');
  const cascade = cascadeReport(rows, chosen.weights, band, THRESHOLD);

  const fmt = (s: SetScore) => `logloss ${s.log_loss.toFixed(4)} acc ${(s.accuracy * 100).toFixed(2)}% auc ${s.auc.toFixed(4)}`;
  console.log('w_lgbm w_clip | plain                                  | re-encoded 256');
  for (const g of grid) {
    const mark = g === chosen ? ' <- chosen' : '';
    console.log(`${g.weights.lgbm.toFixed(2).padStart(6)} ${g.weights.clip.toFixed(2).padStart(6)} | ${fmt(g.plain)} | ${fmt(g.reencoded)}${mark}`);
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`the other criterion (${criterion === 'accuracy' ? 'log_loss' : 'accuracy'}) would choose lgbm=${other.weights.lgbm} clip=${other.weights.clip}`);
  console.log(`cascade ${band.join('-')} with the chosen weights: clip asked for ${pct(cascade.plain.clip_call_rate)} (plain) / ${pct(cascade.reencoded.clip_call_rate)} (re-encoded) of photos; ${fmt(cascade.plain)} | ${fmt(cascade.reencoded)}`);

  const command = `node tools/dist/choose-ensemble-weights.js${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
  const out = {
    weights: chosen.weights,
    threshold: THRESHOLD,
    criterion,
    method:
      `grid over w_clip in 0..1 step ${step} (w_lgbm = 1 - w_clip), P(cataract) = w_lgbm * p_lgbm + w_clip * p_clip; ` +
      `chosen by ${criterion === 'log_loss' ? 'lowest log-loss' : 'highest accuracy (ties: higher AUC, then lower log-loss)'} on the validation photos as stored and ` +
      `re-encoded (${REENCODE_256.longSide} px, JPEG q${REENCODE_256.quality}) pooled; ties go to the larger lgbm weight. ` +
      'The same photos choose and score the weights, so the chosen row is optimistic.',
    models: { lgbm: lgbm.version, clip: clipManifest.version },
    predictions: { lgbm: lgbm.source === 'recorded' ? 'models/lgbm/validation-predictions.json' : 'recomputed from models/lgbm/model.txt', clip: 'models/clip/validation-predictions.json' },
    data: { dir: path.relative(repoRoot, dataDir), validation_photos: rows.length, split: { kind: 'stratified, from the lgbm manifest (clip used the same; identical photo sets checked)', ...lgbm.split } },
    chosen: { weights: chosen.weights, plain: chosen.plain, reencoded_256: chosen.reencoded, pooled: chosen.pooled },
    other_criterion: { criterion: criterion === 'accuracy' ? 'log_loss' : 'accuracy', weights: other.weights, pooled: other.pooled },
    cascade,
    grid: grid.map((g) => ({ weights: g.weights, plain: g.plain, reencoded_256: g.reencoded, pooled: g.pooled })),
    date: new Date().toISOString(),
    command,
  };
  const outPath = path.resolve(o.out);
  await writeFileAtomic(outPath, JSON.stringify(out, null, 2) + '\n');
  console.log(`chosen: lgbm=${chosen.weights.lgbm} clip=${chosen.weights.clip}; wrote ${path.relative(process.cwd(), outPath)}`);
}

/** Photos both models predicted; the two splits must be the very same photos. */
function join(lgbm: readonly ValidationPrediction[], clip: readonly ValidationPrediction[]): JoinedPrediction[] {
  const byFile = new Map(clip.map((c) => [c.file, c]));
  const missing = lgbm.filter((l) => !byFile.has(l.file)).map((l) => l.file);
  if (missing.length > 0 || clip.length !== lgbm.length) {
    throw new Error(`the models' validation splits differ (${missing.length} lgbm photos without a clip prediction, e.g. ${missing.slice(0, 3).join(', ')}; ${clip.length} vs ${lgbm.length})`);
  }
  return lgbm.map((l) => {
    const c = byFile.get(l.file)!;
    if (c.label !== l.label) throw new Error(`${l.file}: labels differ (${l.label} vs ${c.label})`);
    return { file: l.file, label: l.label === 'cataract' ? 1 : 0, lgbm: { plain: l.p, reencoded: l.p_reencoded_256 }, clip: { plain: c.p, reencoded: c.p_reencoded_256 } };
  });
}

runCli(main);
