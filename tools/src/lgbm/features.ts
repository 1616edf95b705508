/** Feature extraction for the lgbm trainer: imaging's feature set on a photo or one of its re-encoded variants. */
import { readFile } from 'node:fs/promises';
import { downscaleReencode, extractLgbmFeatures, LGBM_FEATURE_SET } from '@cataract/imaging';
import { mapLimit, sha256Buffer, VectorCache, type LabelledImage } from '../common';
import { variantKey, type Variant } from './augment';

export interface FeatureJob {
  item: LabelledImage;
  variant: Variant;
}

/**
 * Extracts features for every job with at most `concurrency` images in flight (sharp itself is
 * multi-threaded; more in flight only costs memory). Results are in job order.
 */
export async function extractAll(
  jobs: readonly FeatureJob[],
  opts: { concurrency: number; cache: VectorCache; onProgress?: (done: number, total: number) => void },
): Promise<Float64Array[]> {
  const n = LGBM_FEATURE_SET.names.length;
  const fsId = `${LGBM_FEATURE_SET.name}@${LGBM_FEATURE_SET.version}`;
  let done = 0;
  return mapLimit(jobs, opts.concurrency, async (job) => {
    const buf = await readFile(job.item.path);
    const key = `${fsId}|${sha256Buffer(buf)}|${variantKey(job.variant)}`;
    const v = await opts.cache.getOrCompute(key, n, async () => {
      const input = job.variant.longSide === undefined ? buf : await downscaleReencode(buf, job.variant.longSide, job.variant.quality!);
      const f = await extractLgbmFeatures(input);
      if (f.length !== n) throw new Error(`extractLgbmFeatures returned ${f.length} values, feature set has ${n}`);
      return Float64Array.from(f);
    });
    done++;
    opts.onProgress?.(done, jobs.length);
    return v;
  });
}
