/**
 * `npm run publish:clip-finetuned -- --onnx FILE --cv CV.json[,CV2.json...]`: turns the Python
 * fine-tuning tool's output (tools/python/clip_finetune.py fit / cv) into a clip version folder
 * models/clip/<version>/ (model.onnx, manifest.json with every file's sha256, README.md,
 * oof-predictions.json, reliability.png). The exported graph is run with onnxruntime on the probe
 * photos the Python tool recorded and must give the torch probabilities; the folds in the CV files
 * must be tools/src/cv's. Nothing is promoted: models/clip/default is left as it is.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OnnxManifestSchema } from '@cataract/contracts';
import { defaultDataDir, modelVersion, parseCli, repoRoot, runCli, sha256Buffer, UsageError, writeFileAtomic, writeManifest } from './common';
import { CV_CLI, cvOptions } from './cv/options';
import { describePlan, planPhotoFolds } from './cv/photo-folds';
import { buildCvReport, writeCvArtefacts } from './cv/report';
import { cvFigures } from './cv/summary';
import { BACKBONE_INPUT } from './clip/backbone';
import { CLIP_OUTPUT_NAME, CLIP_THRESHOLD, clipManifestHead } from './clip/manifest';
import { OnnxImageRunner } from './clip/onnx-image-runner';
import { renderFinetunedCard } from './clip/finetuned-card';
import { readFinetuneCv, readFinetuneFit } from './clip/finetune-files';

const CLI = {
  onnx: { type: 'string', description: 'model written by clip_finetune.py fit (FILE.json beside it)' },
  cv: { type: 'string', description: 'comma-separated clip_finetune.py cv --json files, one per repeat, in repeat order' },
  data: { type: 'string', description: 'training photos: DIR/{cataract,normal}/*', default: path.relative(process.cwd(), defaultDataDir) || '.' },
  out: { type: 'string', description: 'models/clip directory (the version folder is created inside)', default: path.relative(process.cwd(), path.join(repoRoot, 'models/clip')) || '.' },
  ...CV_CLI,
} as const;


async function main(): Promise<void> {
  const o = parseCli('npm run publish:clip-finetuned --', CLI);
  if (!o) return;
  if (!o.onnx || !o.cv) throw new UsageError('--onnx FILE and --cv FILES are required');
  const fit = await readFinetuneFit(`${o.onnx}.json`);
  const cvs = await Promise.all(o.cv.split(',').map((f) => readFinetuneCv(f.trim())));
  cvs.forEach((c, r) => {
    if (c.repeat !== r) throw new UsageError(`--cv files must be repeats 0..${cvs.length - 1} in order; file ${r + 1} is repeat ${c.repeat}`);
  });
  const dataDir = path.resolve(o.data);
  const pf = await planPhotoFolds(dataDir, { ...cvOptions(o), repeats: cvs.length });
  const names = pf.images.map((im) => path.relative(dataDir, im.path).split(path.sep).join('/'));
  const column = (key: 'fine_tuned' | 'fine_tuned_reencoded_256' | 'frozen' | 'frozen_reencoded_256') =>
    cvs.map((c, r) => {
      const byFile = new Map(c.predictions.map((p) => [p.file, p]));
      return names.map((file, i) => {
        const p = byFile.get(file);
        if (!p) throw new Error(`cv repeat ${r}: no prediction for ${file}`);
        if (p.fold !== pf.plan.fold[r][i]) throw new Error(`cv repeat ${r}: ${file} was in fold ${p.fold}, tools/src/cv puts it in ${pf.plan.fold[r][i]}`);
        const v = p[key];
        if (v === null) throw new Error(`cv repeat ${r}: ${file} has no ${key} prediction (were all folds run?)`);
        return v;
      });
    });
  const { report, predictions } = buildCvReport(pf, column('fine_tuned'), column('fine_tuned_reencoded_256'), CLIP_THRESHOLD);

  // The exported graph must answer as torch did, through the actor's own preprocessing.
  const bytes = await readFile(o.onnx);
  const runner = await OnnxImageRunner.create(new Uint8Array(bytes), { spec: BACKBONE_INPUT, outputName: CLIP_OUTPUT_NAME, threads: 2, batchSize: 8 });
  const probs = await runner.run(await Promise.all(fit.probe.map((p) => readFile(path.join(dataDir, p.file)))));
  await runner.release();
  const gap = Math.max(...probs.map((row, i) => Math.abs(row[1] - fit.probe[i].p_cataract)), ...probs.map((row) => Math.abs(row[0] + row[1] - 1)));
  if (!(gap < 1e-4)) throw new Error(`onnxruntime and torch disagree on the probe photos by ${gap}`);
  console.log(`export check: onnxruntime vs torch on ${fit.probe.length} photos, max |diff| ${gap.toExponential(2)}`);

  const sha256 = sha256Buffer(bytes);
  const created = new Date();
  const version = modelVersion('clip', sha256, created);
  const dir = path.join(path.resolve(o.out), version);
  await writeFileAtomic(path.join(dir, 'model.onnx'), bytes);
  await writeCvArtefacts(dir, dataDir, version, pf, report, predictions);
  const frozen = cvFigures(pf.plan, pf.labels, column('frozen'), CLIP_THRESHOLD);
  const frozenReencoded = cvFigures(pf.plan, pf.labels, column('frozen_reencoded_256'), CLIP_THRESHOLD);
  const commands = ['npx tsc -b tools', `npm run export:clip-tensors -- --out DIR --photometric ${fit.photometric_exported}`, ...cvs.map((c) => c.command), fit.command, `npm run publish:clip-finetuned -- --onnx FILE --cv ${cvs.map((_, r) => `cv-r${r}.json`).join(',')}`];
  const card = renderFinetunedCard({ version, sha256, modelBytes: bytes.length, threshold: CLIP_THRESHOLD, calibration: report.calibration, report, frozen, frozenReencoded, settings: fit.settings, fineTuned: Object.keys(fit.fine_tuned_weights), commands, sourceVersion: fit.source_version });
  await writeFileAtomic(path.join(dir, 'README.md'), card);
  const files: Record<string, string> = { 'model.onnx': sha256 };
  for (const f of ['README.md', 'oof-predictions.json', 'reliability.png']) files[f] = sha256Buffer(await readFile(path.join(dir, f)));
  const manifest = {
    ...clipManifestHead({ version, sha256, calibration: report.calibration, created, input: BACKBONE_INPUT }),
    files,
    training: {
      command: fit.command,
      data: { dir: path.relative(repoRoot, dataDir), photos: { cataract: pf.labels.filter((l) => l === 1).length, normal: pf.labels.filter((l) => l === 0).length } },
      fine_tuning: { tool: 'tools/python/clip_finetune.py (torch)', source_version: fit.source_version, settings: fit.settings, rows: fit.rows, photometric_copies: fit.photometric, fine_tuned_weights: fit.fine_tuned_weights },
      export_max_abs_diff: gap,
    },
    metrics: { cross_validation: { ...report, plan: describePlan(pf), frozen_same_folds: { raw: frozen, raw_reencoded_256: frozenReencoded } } },
  };
  OnnxManifestSchema.parse(manifest);
  await writeManifest(dir, manifest);
  console.log(`wrote ${path.relative(process.cwd(), dir)}/{model.onnx (${(bytes.length / 1e6).toFixed(2)} MB), manifest.json, README.md, oof-predictions.json, reliability.png}`);
  console.log(`version ${version}; models/clip/default not changed (npm run models -- validate ${path.relative(process.cwd(), dir)})`);
}

runCli(main);
