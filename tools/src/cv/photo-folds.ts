/**
 * The cross-validation plan every trainer and the ensemble tool share: all labelled photos,
 * near-duplicate groups, and repeated stratified grouped folds. Same data + same options -> the
 * same folds in every tool, so out-of-fold predictions of different models can be combined.
 */
import { listLabelledImages, type LabelledImage } from '../common/dataset';
import { nearDuplicateGroups, DEFAULT_MAX_HAMMING, type DuplicateGroups } from './near-duplicates';
import { repeatedGroupedFolds, type FoldPlan } from './folds';

export interface CvOptions {
  k: number;
  repeats: number;
  seed: number;
  maxHamming: number;
}

export const DEFAULT_CV: CvOptions = { k: 5, repeats: 3, seed: 42, maxHamming: DEFAULT_MAX_HAMMING };

export interface PhotoFolds {
  images: LabelledImage[];
  /** 1 = cataract, 0 = normal, per photo. */
  labels: Int32Array;
  duplicates: DuplicateGroups;
  plan: FoldPlan;
}

/**
 * `extra` (reviewed uploads) joins the photos of `dataDir` before the near-duplicate grouping, so an
 * upload that is a near-duplicate of a training photo shares its group, and so its folds.
 */
export async function planPhotoFolds(dataDir: string, o: CvOptions, extra: readonly LabelledImage[] = []): Promise<PhotoFolds> {
  const images = [...listLabelledImages(dataDir), ...extra];
  const labels = Int32Array.from(images, (x) => (x.label === 'cataract' ? 1 : 0));
  const duplicates = await nearDuplicateGroups(images.map((x) => x.path), o.maxHamming);
  const plan = repeatedGroupedFolds(labels, duplicates.group, o.k, o.repeats, o.seed);
  return { images, labels, duplicates, plan };
}

/** What a manifest / predictions file records about the plan. */
export function describePlan(pf: PhotoFolds) {
  return {
    k: pf.plan.k,
    repeats: pf.plan.repeats,
    seed: pf.plan.seed,
    stratified: true,
    grouping: `near-duplicates: 64-bit difference hash (9x8 greyscale), linked when <= ${pf.duplicates.maxDistance} bits differ, groups = connected components`,
    photos: pf.images.length,
    groups: pf.duplicates.groups,
    photos_in_multi_photo_groups: pf.duplicates.linked.reduce((s, g) => s + g.length, 0),
  };
}
