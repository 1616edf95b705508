/**
 * Near-duplicate photos (the same eye shot twice, a crop or a re-encode of one photo) must never sit
 * on both sides of a cross-validation fold, or the held-out score measures memory. A photo's
 * difference hash (dHash: 9x8 greyscale thumbnail, one bit per horizontal neighbour comparison, 64
 * bits) changes little under resizing, re-encoding and small crops; photos whose hashes differ in at
 * most `maxDistance` bits are linked, and linked photos form one group (union-find, so the relation is
 * transitive).
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { mapLimit } from '@cataract/concurrency';

/** Bits (of 64) two hashes may differ in and still count as the same photo. */
export const DEFAULT_MAX_HAMMING = 10;

export async function differenceHash(bytes: Buffer): Promise<bigint> {
  const px = await sharp(bytes).greyscale().resize(9, 8, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  let h = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) h = (h << 1n) | (px[y * 9 + x] > px[y * 9 + x + 1] ? 1n : 0n);
  }
  return h;
}

export function hammingDistance(a: bigint, b: bigint): number {
  let v = a ^ b;
  let n = 0;
  while (v) {
    n += Number(v & 1n);
    v >>= 1n;
  }
  return n;
}

/** Group index per photo (0..groups-1, numbered by each group's first photo), from pairwise hash distances. */
export function groupByHash(hashes: readonly bigint[], maxDistance: number): number[] {
  const parent = hashes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      if (hammingDistance(hashes[i], hashes[j]) <= maxDistance) parent[find(j)] = find(i);
    }
  }
  const id = new Map<number, number>();
  return hashes.map((_, i) => {
    const root = find(i);
    if (!id.has(root)) id.set(root, id.size);
    return id.get(root)!;
  });
}

export interface DuplicateGroups {
  /** Group index per photo. */
  group: number[];
  groups: number;
  /** Groups of more than one photo, as photo indices. */
  linked: number[][];
  maxDistance: number;
}

export async function nearDuplicateGroups(paths: readonly string[], maxDistance = DEFAULT_MAX_HAMMING): Promise<DuplicateGroups> {
  const hashes = await mapLimit(paths, 4, async (p) => differenceHash(await readFile(p)));
  const group = groupByHash(hashes, maxDistance);
  const members = new Map<number, number[]>();
  group.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  return { group, groups: members.size, linked: [...members.values()].filter((m) => m.length > 1), maxDistance };
}
