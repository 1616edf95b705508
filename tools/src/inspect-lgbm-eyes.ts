/**
 * npm run inspect:lgbm -- --out FILE.png (--predictions FILE [--wrong] | --files a.jpg,b.jpg) ...
 * Draws where the lgbm features located the eye and the pupil (lgbm/eye-overlay.ts) for the photos
 * of a predictions file (models/lgbm/oof-predictions.json, every training photo's out-of-fold
 * P(cataract) written by `npm run train:lgbm`), optionally only those on the wrong side of the
 * threshold, or for the photos named. Photo paths are relative to --data.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { defaultDataDir, intOption, parseCli, repoRoot, runCli, UsageError, writeFileAtomic } from './common';
import { renderEyeGrid } from './lgbm/eye-overlay';
import { misclassified, parsePredictionsFile } from './lgbm/predictions-file';

const CLI = {
  out: { type: 'string', description: 'PNG file to write' },
  predictions: { type: 'string', description: 'predictions JSON ({threshold?, predictions: [{file, label, p}]})' },
  wrong: { type: 'boolean', description: 'only the photos on the wrong side of the threshold', default: false },
  files: { type: 'string', description: 'comma-separated photos instead of --predictions' },
  data: { type: 'string', description: 'directory the photo paths are relative to', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  columns: { type: 'string', description: 'tiles per row', default: '4' },
  tile: { type: 'string', description: 'tile side (px)', default: '256' },
} as const;

async function main(): Promise<void> {
  const o = parseCli('npm run inspect:lgbm --', CLI);
  if (!o) return;
  if (!o.out) throw new UsageError('--out is required');
  if (!o.predictions === !o.files) throw new UsageError('give exactly one of --predictions and --files');
  if (o.wrong && !o.predictions) throw new UsageError('--wrong needs --predictions');
  let chosen: { file: string; caption: string }[];
  if (o.predictions) {
    const doc = parsePredictionsFile(JSON.parse(await readFile(path.resolve(o.predictions), 'utf8')), o.predictions);
    chosen = (o.wrong ? misclassified(doc) : doc.predictions).map((x) => ({ file: x.file, caption: `${x.file} ${x.label} p=${x.p.toFixed(3)}` }));
  } else {
    chosen = o.files!.split(',').filter(Boolean).map((file) => ({ file, caption: file }));
  }
  if (chosen.length === 0) {
    console.log('no photos selected');
    return;
  }
  const dataDir = path.resolve(o.data);
  const items = await Promise.all(chosen.map(async (c) => ({ photo: await readFile(path.resolve(dataDir, c.file)), caption: c.caption })));
  const png = await renderEyeGrid(items, { columns: intOption('columns', o.columns, 4), tile: intOption('tile', o.tile, 256) });
  const out = path.resolve(o.out);
  await writeFileAtomic(out, png);
  console.log(`wrote ${path.relative(repoRoot, out) || out}: ${items.length} photos (green: iris circle, red: pupil measured as the lens)`);
}

runCli(main);
