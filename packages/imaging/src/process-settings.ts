import sharp from 'sharp';

/**
 * For a serving process (an actor): turn off libvips' operation cache. Every upload is new, so the
 * cache only hashes, holds up to 50 MB and never hits. CPU per extractLgbmFeatures over 100 training
 * photos, with and without (2026-11-27): an ad-hoc script, alternating, 9.82-9.90 against 9.33-9.34
 * ms; then `node packages/imaging/bench/features-cost.js [--no-decode-cache]` in turn
 * (FEATURES_BENCH_ROUNDS=20 FEATURES_BENCH_PHOTOS=100), three pairs: 8.61 / 8.54, 8.28 / 7.34,
 * 8.22 / 8.10 ms. A small saving (1-11 % per pair) on a noisy machine, never a loss. Process-wide,
 * hence a call the process makes, not a side effect of importing this package.
 */
export function disableDecodeCache(): void {
  sharp.cache(false);
}
