import sharp from 'sharp';

/**
 * For a serving process (an actor): turn off libvips' operation cache. Every upload is new, so the
 * cache only hashes, holds up to 50 MB and never hits. Turning it off saves a little CPU per
 * extractLgbmFeatures and never costs (`node packages/imaging/bench/features-cost.js
 * [--no-decode-cache]` in turn; docs/performance.md, "Settings that help"). Process-wide,
 * hence a call the process makes, not a side effect of importing this package.
 */
export function disableDecodeCache(): void {
  sharp.cache(false);
}
