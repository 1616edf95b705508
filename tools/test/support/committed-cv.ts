/**
 * Checks shared by the committed-model tests: a model's oof-predictions.json belongs to its manifest,
 * and the cross-validated figures and calibration the manifest (and so the model card) reports are
 * the ones its out-of-fold predictions give.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultDataDir, listLabelledImages, photoName } from '../../src/common';
import { OofFileSchema } from '../../src/cv/oof-file';
import { IDENTITY_CALIBRATION } from '../../src/cv/report';
import { cvFigures, pooledPlatt, type CvFigures } from '../../src/cv/summary';

export function describeCommittedCv(modelDir: string): void {
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8'));
  const oof = OofFileSchema.parse(JSON.parse(readFileSync(path.join(modelDir, 'oof-predictions.json'), 'utf8')));
  const report = manifest.metrics.cross_validation;
  const rows = oof.predictions;
  const labels = rows.map((r) => (r.label === 'cataract' ? 1 : 0));
  const { k, repeats, seed } = oof.cross_validation;
  const plan = { k, repeats, seed, fold: Array.from({ length: repeats }, (_, r) => Int32Array.from(rows, (x) => x.folds[r])) };
  const perRepeat = (key: 'raw' | 'calibrated' | 'raw_reencoded_256' | 'calibrated_reencoded_256') => Array.from({ length: repeats }, (_, r) => rows.map((x) => x[key][r]));

  describe(`${path.basename(modelDir)}: cross-validated figures`, () => {
    it('oof-predictions.json is this model version, with every photo in every repeat and near-duplicates never split', () => {
      expect(oof.model).toBe(manifest.version);
      expect(rows.length).toBe(report.plan.photos);
      for (const x of rows) for (const key of ['folds', 'raw', 'calibrated', 'raw_reencoded_256', 'calibrated_reencoded_256'] as const) expect(x[key]).toHaveLength(repeats);
      for (let r = 0; r < repeats; r++) {
        const foldOfGroup = new Map<number, number>();
        for (const x of rows) {
          expect(foldOfGroup.get(x.group) ?? x.folds[r]).toBe(x.folds[r]);
          foldOfGroup.set(x.group, x.folds[r]);
        }
      }
    });

    it('the manifest figures and calibration are those of the out-of-fold predictions', () => {
      const same = (got: CvFigures, claimed: CvFigures) => {
        expect(got.per_repeat.accuracy.mean).toBeCloseTo(claimed.per_repeat.accuracy.mean, 9);
        expect(got.per_repeat.accuracy.sd).toBeCloseTo(claimed.per_repeat.accuracy.sd, 9);
        expect(got.per_fold.accuracy.mean).toBeCloseTo(claimed.per_fold.accuracy.mean, 9);
        expect(got.per_repeat.auc.mean).toBeCloseTo(claimed.per_repeat.auc.mean, 4);
        expect(got.per_repeat.ece.mean).toBeCloseTo(claimed.per_repeat.ece.mean, 4);
      };
      for (const key of ['raw', 'calibrated', 'raw_reencoded_256', 'calibrated_reencoded_256'] as const) same(cvFigures(plan, labels, perRepeat(key), manifest.threshold), report[key]);
      // Platt is served only when its cross-fitted out-of-fold log-loss beats the raw one.
      const choice = report.calibration_choice;
      expect(choice.applied).toBe(choice.platt_log_loss < choice.raw_log_loss);
      expect(choice.raw_log_loss).toBeCloseTo(report.raw.per_repeat.log_loss.mean, 12);
      const c = choice.applied ? pooledPlatt(labels, perRepeat('raw')) : IDENTITY_CALIBRATION;
      expect(c.a).toBeCloseTo(manifest.calibration.a, 4);
      expect(c.b).toBeCloseTo(manifest.calibration.b, 4);
      expect(manifest.calibration).toEqual(report.calibration);
    });

    const have = existsSync(defaultDataDir);
    (have ? it : it.skip)(`covers exactly the training photos${have ? '' : ' (skipped: ../shared/data/cataract/train absent)'}`, () => {
      const photos = listLabelledImages(defaultDataDir).map((x) => `${photoName(defaultDataDir, x.path)}:${x.label}`);
      expect(rows.map((x) => `${x.file}:${x.label}`).sort()).toEqual(photos.sort());
    });
  });
}
