/**
 * Backbone embeddings of (photo, variant) jobs: the photo as stored, or downscaled + JPEG
 * re-encoded through imaging's downscaleReencode. Optionally cached on disk, keyed by backbone
 * hash, photo content hash and variant, so re-running with other head parameters is fast.
 */
import { readFile } from 'node:fs/promises';
import { downscaleReencode } from '@cataract/imaging';
import { mapLimit, sha256Buffer, type LabelledImage, type VectorCache } from '../common';
import { variantKey, type Variant } from '../lgbm/augment';
import type { OnnxImageRunner } from './onnx-image-runner';
import { applyPhotometric } from './photometric';

export interface EmbedJob {
  item: LabelledImage;
  variant: Variant;
}

/** The encoded bytes a job feeds to imageToTensor. */
export async function jobBytes(job: EmbedJob): Promise<Buffer> {
  const original = await readFile(job.item.path);
  if (job.variant.photometric) return applyPhotometric(original, job.variant.photometric);
  const { longSide, quality } = job.variant;
  return longSide === undefined ? original : downscaleReencode(original, longSide, quality ?? 85);
}

export async function embedJobs(
  runner: OnnxImageRunner,
  jobs: readonly EmbedJob[],
  opts: { dim: number; cache: VectorCache; backboneSha: string; chunk?: number; concurrency?: number; onProgress?: (done: number, total: number) => void },
): Promise<Float32Array[]> {
  const chunk = opts.chunk ?? 64;
  const out: Float32Array[] = new Array(jobs.length);
  for (let start = 0; start < jobs.length; start += chunk) {
    const part = jobs.slice(start, start + chunk);
    const keys = await mapLimit(part, opts.concurrency ?? 2, async (j) => {
      const content = sha256Buffer(await readFile(j.item.path));
      return `clip-embedding|${opts.backboneSha}|${content}|${variantKey(j.variant)}`;
    });
    const missing: number[] = [];
    part.forEach((_, i) => {
      const hit = opts.cache.get(keys[i], opts.dim);
      if (hit) out[start + i] = Float32Array.from(hit);
      else missing.push(i);
    });
    if (missing.length) {
      const bytes = await mapLimit(missing, opts.concurrency ?? 2, (i) => jobBytes(part[i]));
      const rows = await runner.run(bytes);
      missing.forEach((i, k) => {
        out[start + i] = rows[k];
        opts.cache.set(keys[i], Float64Array.from(rows[k]));
      });
    }
    opts.onProgress?.(Math.min(start + chunk, jobs.length), jobs.length);
  }
  return out;
}
