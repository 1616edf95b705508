/** Labelled image listing and a deterministic stratified train/validation split, shared by all trainers. */
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '@cataract/gbdt-trainer';

export type Label = 'cataract' | 'normal';
export const LABELS: readonly Label[] = ['cataract', 'normal'];
export interface LabelledImage {
  path: string;
  label: Label;
  /** How prediction files name the photo when it is not under the data directory (reviewed uploads). */
  name?: string;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** Repository root (tools/src/common or tools/dist/common -> three levels up). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** Default training data: the read-only shared dataset beside the repository. */
export const defaultDataDir = path.resolve(repoRoot, '../shared/data/cataract/train');

/**
 * Lists DIR/{cataract,normal}/* images. Sorted by label then file name (byte order) so every
 * run sees the same order regardless of the file system's readdir order.
 */
export function listLabelledImages(dir: string): LabelledImage[] {
  if (!existsSync(dir)) throw new Error(`data directory not found: ${dir}`);
  const out: LabelledImage[] = [];
  for (const label of LABELS) {
    const classDir = path.join(dir, label);
    if (!existsSync(classDir)) throw new Error(`missing class directory: ${classDir}`);
    const names = readdirSync(classDir)
      .filter((n) => IMAGE_EXT.has(path.extname(n).toLowerCase()))
      .filter((n) => statSync(path.join(classDir, n)).isFile())
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) out.push({ path: path.join(classDir, n), label });
  }
  return out;
}

/**
 * How prediction files name a photo: its path relative to the data directory, "/"-separated
 * ("cataract/image_10.jpg"; bare names repeat across the class folders).
 */
export function photoName(dataDir: string, photoPath: string): string {
  return path.relative(dataDir, photoPath).split(path.sep).join('/');
}

/** Seeded Fisher-Yates shuffle (returns a copy). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rng = createRng(seed);
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * Stratified split: within each class, a seeded shuffle then round(n * validFraction) items go to
 * validation, so class proportions are preserved and the split depends only on (items, fraction, seed).
 * Output keeps the input order within each part.
 */
export function stratifiedSplit<T extends { label: string }>(
  items: readonly T[],
  validFraction: number,
  seed: number,
): { train: T[]; valid: T[] } {
  if (!(validFraction >= 0 && validFraction < 1)) throw new RangeError(`validFraction must be in [0, 1), got ${validFraction}`);
  const byLabel = new Map<string, number[]>();
  items.forEach((it, i) => {
    const list = byLabel.get(it.label) ?? [];
    list.push(i);
    byLabel.set(it.label, list);
  });
  const inValid = new Set<number>();
  const labels = [...byLabel.keys()].sort();
  labels.forEach((label, k) => {
    const idx = byLabel.get(label)!;
    // Per-class seed derived from the base seed so classes get independent shuffles.
    const order = shuffled(idx, (seed + Math.imul(k + 1, 0x9e3779b1)) >>> 0);
    const nValid = Math.round(idx.length * validFraction);
    for (let i = 0; i < nValid; i++) inValid.add(order[i]);
  });
  const train: T[] = [];
  const valid: T[] = [];
  items.forEach((it, i) => (inValid.has(i) ? valid : train).push(it));
  return { train, valid };
}

/**
 * Stratified k-fold assignment: returns the fold (0..k-1) of every item. Within each class a
 * seeded shuffle deals items to folds round-robin, so folds have near-equal size and class mix.
 */
export function stratifiedFolds<T extends { label: string }>(items: readonly T[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer >= 2, got ${k}`);
  const fold = new Array<number>(items.length).fill(0);
  const labels = [...new Set(items.map((x) => x.label))].sort();
  let offset = 0;
  labels.forEach((label, c) => {
    const idx = items.map((x, i) => (x.label === label ? i : -1)).filter((i) => i >= 0);
    const order = shuffled(idx, (seed + Math.imul(c + 1, 0x85ebca6b)) >>> 0);
    // Continue the round-robin across classes so small classes do not all land in fold 0.
    order.forEach((i, j) => (fold[i] = (j + offset) % k));
    offset = (offset + order.length) % k;
  });
  return fold;
}
