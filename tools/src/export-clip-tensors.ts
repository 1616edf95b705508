/**
 * `npm run export:clip-tensors -- --out DIR`: the clip trainer's input rows as the Python
 * fine-tuning tool (tools/python/clip_finetune.py) reads them. Every photo, its resolution and
 * photometric training copies and its 256 px re-encoded scoring copy go through imaging's
 * imageToTensor (the serving actor's own preprocessing), so Python never decodes a photo; the
 * near-duplicate groups and folds come from tools/src/cv, so both languages score the same folds.
 *
 * DIR/tensors.u8: rows x 224 x 224 x 3 bytes (NHWC RGB; the clip input spec is v/255, stored as v).
 * DIR/index.json: the input spec, photos (file, label, group, fold per repeat), rows (photo, kind),
 * and the pooled-backbone embedding of a few photos (the Python model must reproduce them).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { imageToTensor, tensorSize } from '@cataract/imaging';
import { defaultDataDir, intOption, mapLimit, parseCli, photoName, runCli, sha256Buffer, UsageError, writeFileAtomic } from './common';
import { CV_CLI, cvOptions } from './cv/options';
import { describePlan, planPhotoFolds } from './cv/photo-folds';
import { planAugmentation, type Variant } from './lgbm/augment';
import { BACKBONE_INPUT, EMBEDDING_OUTPUT } from './clip/backbone';
import { buildPooledBackbone } from './clip/pooled-backbone';
import { planPhotometric } from './clip/photometric';
import { OnnxImageRunner } from './clip/onnx-image-runner';
import { jobBytes, type EmbedJob } from './clip/photo-embeddings';
import { exportRows, type RowKind } from './clip/tensor-rows';

const DEFAULT_LAYERS = ['flatten_1', 'block_12_add', 'block_15_add', 'block_6_expand_relu'];
const REENCODE_256: Variant = { longSide: 256, quality: 85 };

const CLI = {
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  out: { type: 'string', description: 'output directory (tensors.u8, index.json)' },
  photometric: { type: 'string', description: 'photometric training copies per photo', default: '2' },
  copies: { type: 'string', description: 'resolution copies per photo (downscale + JPEG, as train:clip)', default: '3' },
  seed: { type: 'string', description: 'seed of the augmentation (train:clip uses seed + 2 for both plans)', default: '42' },
  'check-photos': { type: 'string', description: 'photos whose pooled-backbone embedding is written for the Python check', default: '8' },
  layers: { type: 'string', description: 'layers of the pooled embedding written for the check', default: DEFAULT_LAYERS.join(',') },
  ...CV_CLI,
} as const;

async function main(): Promise<void> {
  const o = parseCli('npm run export:clip-tensors --', CLI);
  if (!o) return;
  if (!o.out) throw new UsageError('--out DIR is required');
  const seed = intOption('seed', o.seed, 42);
  const copies = intOption('copies', o.copies, 3);
  const photometric = intOption('photometric', o.photometric, 2);
  const checkPhotos = intOption('check-photos', o['check-photos'], 8);
  const dataDir = path.resolve(o.data);
  const outDir = path.resolve(o.out);
  mkdirSync(outDir, { recursive: true });

  const pf = await planPhotoFolds(dataDir, cvOptions(o));
  const { images } = pf;
  // The same plans, in the same order, as train:clip (its seed + 2), so the rows are its rows.
  const resolution = planAugmentation(images, { copies, minLongSide: 96, maxLongSide: 448, minQuality: 60, maxQuality: 95, seed: seed + 2 });
  const jobs: (EmbedJob & { kind: RowKind })[] = [
    ...resolution.map((j) => ({ ...j, kind: (j.variant.longSide === undefined ? 'original' : 'resolution') as RowKind })),
    ...planPhotometric(images, photometric, seed + 2).map(({ item, photometric: p }) => ({ item, variant: { photometric: p }, kind: 'photometric' as RowKind })),
    ...images.map((item) => ({ item, variant: REENCODE_256, kind: 'reencoded_256' as RowKind })),
  ];
  const photoOf = new Map(images.map((im, i) => [im.path, i]));
  const size = tensorSize(BACKBONE_INPUT);
  const file = openSync(path.join(outDir, 'tensors.u8'), 'w');
  const hash = (await import('node:crypto')).createHash('sha256');
  try {
    const chunk = 32;
    for (let start = 0; start < jobs.length; start += chunk) {
      const part = jobs.slice(start, start + chunk);
      const tensors = await mapLimit(part, 2, async (j) => imageToTensor(await jobBytes(j), BACKBONE_INPUT));
      const bytes = Buffer.from(exportRows(tensors, size));
      hash.update(bytes);
      writeSync(file, bytes);
      if ((start / chunk) % 20 === 0 || start + chunk >= jobs.length) console.log(`tensors: ${Math.min(start + chunk, jobs.length)}/${jobs.length}`);
    }
  } finally {
    closeSync(file);
  }

  // The embedding the current clip model's head reads, for the Python reimplementation to match.
  const layers = o.layers.split(',').map((l) => l.trim()).filter(Boolean);
  const { bytes: backbone, width } = buildPooledBackbone(layers);
  const runner = await OnnxImageRunner.create(backbone, { spec: BACKBONE_INPUT, outputName: EMBEDDING_OUTPUT, threads: 2, batchSize: 8 });
  const checkRows = jobs.map((j, row) => ({ j, row })).filter(({ j }) => j.kind === 'original').slice(0, checkPhotos);
  const embeddings = await runner.run(await Promise.all(checkRows.map(({ j }) => jobBytes(j))));
  await runner.release();

  const index = {
    spec: BACKBONE_INPUT,
    stored_as: 'uint8 NHWC, value = round(tensor * 255)',
    tensors_sha256: hash.digest('hex'),
    cross_validation: describePlan(pf),
    augmentation: { copies, long_side: [96, 448], jpeg_quality: [60, 95], seed: seed + 2, photometric_copies: photometric, photometric_seed: seed + 2 },
    photos: images.map((im, i) => ({ file: photoName(dataDir, im.path), label: im.label, group: pf.duplicates.group[i], folds: pf.plan.fold.map((f) => f[i]) })),
    rows: jobs.map((j) => ({ photo: photoOf.get(j.item.path)!, kind: j.kind })),
    embedding_check: { layers, width, backbone_sha256: sha256Buffer(Buffer.from(backbone)), rows: checkRows.map(({ row }) => row), values: embeddings.map((e) => Array.from(e)) },
  };
  await writeFileAtomic(path.join(outDir, 'index.json'), JSON.stringify(index));
  console.log(`wrote ${outDir}/{tensors.u8, index.json}: ${jobs.length} rows of ${size} bytes, ${images.length} photos, ${pf.duplicates.groups} groups`);
}

runCli(main);
