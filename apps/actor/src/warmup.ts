import sharp from 'sharp';
import { WarmupFailedError } from './errors';
import type { Logger } from './logger';
import type { ModelRuntime } from './runtimes/runtime';

/**
 * Model warm-up: before an actor registers (and so before any request can reach it), it runs its
 * runtime on rendered eye photos. A just-started process runs its request path from unoptimised
 * code: on this 2-core machine the first predictions cost about 3x the steady cost, and that slow
 * start landed on the first clients' requests (figures in bench/README.md, "Model warm-up"). It
 * also proves the loaded model answers before the actor advertises itself: a model that cannot
 * predict fails the start instead of failing requests.
 */
export interface WarmupReport {
  runs: number;
  inputs: number;
  ms: number;
  /** Wall time of the first and of the last run, ms (how much the warm-up bought). */
  firstRunMs: number;
  lastRunMs: number;
}

/** Sizes (w x h) and encodings of the rendered photos, like the uploads the service sees. */
const SHAPES: ReadonlyArray<{ width: number; height: number; format: 'jpeg' | 'png' }> = [
  { width: 512, height: 512, format: 'jpeg' },
  { width: 640, height: 480, format: 'jpeg' },
  { width: 384, height: 288, format: 'png' },
  { width: 1024, height: 768, format: 'jpeg' },
];

/**
 * An external-eye-like picture drawn from vector shapes (skin, sclera, striped iris, pupil), with
 * a seeded blur radius and pupil shade so successive runs do not see identical pixels.
 */
function eyeSvg(width: number, height: number, k: number): string {
  const cx = width / 2;
  const cy = height / 2;
  const iris = Math.min(width, height) * 0.28;
  const pupil = iris * (0.4 + 0.05 * (k % 3));
  const shade = k % 2 === 0 ? 18 : 190; // a dark (healthy) and a cloudy pupil
  const stripes = Array.from({ length: 24 }, (_, i) => {
    const a = (i / 24) * 2 * Math.PI;
    return `<line x1="${cx}" y1="${cy}" x2="${cx + iris * Math.cos(a)}" y2="${cy + iris * Math.sin(a)}" stroke="#3b2a1c" stroke-width="${1 + (i % 3)}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<rect width="100%" height="100%" fill="#c8967a"/>
<ellipse cx="${cx}" cy="${cy}" rx="${width * 0.44}" ry="${height * 0.34}" fill="#ebe4de"/>
<circle cx="${cx}" cy="${cy}" r="${iris}" fill="#6e4a2e"/>${stripes}
<circle cx="${cx}" cy="${cy}" r="${pupil}" fill="rgb(${shade},${shade},${shade})" filter="blur(${1 + (k % 4)}px)"/>
<circle cx="${cx - pupil * 0.3}" cy="${cy - pupil * 0.3}" r="${pupil * 0.12}" fill="#fff"/>
</svg>`;
}

/** The warm-up inputs: one encoded photo per shape (rendered once per actor start, ~tens of ms). */
export async function renderWarmupPhotos(): Promise<Buffer[]> {
  return Promise.all(
    SHAPES.map(async ({ width, height, format }, k) => {
      const image = sharp(Buffer.from(eyeSvg(width, height, k))).flatten({ background: '#000' });
      return format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 88 }).toBuffer();
    }),
  );
}

/**
 * Runs `runs` predictions on the rendered photos: batches of one, and for a batching runtime also
 * of its preferred size (its two common shapes). Any failed input rejects with WarmupFailedError.
 */
export async function warmUp(runtime: ModelRuntime, runs: number, logger?: Logger): Promise<WarmupReport> {
  const started = performance.now();
  const report: WarmupReport = { runs, inputs: 0, ms: 0, firstRunMs: 0, lastRunMs: 0 };
  if (runs <= 0) return report;
  const photos = await renderWarmupPhotos();
  const batchSizes = runtime.preferredBatchSize > 1 ? [1, runtime.preferredBatchSize] : [1];
  for (let run = 0; run < runs; run++) {
    const size = batchSizes[run % batchSizes.length];
    const inputs = Array.from({ length: size }, (_, i) => photos[(run + i) % photos.length]);
    const t0 = performance.now();
    const outcomes = await runtime.predict(inputs);
    const ms = performance.now() - t0;
    if (run === 0) report.firstRunMs = ms;
    report.lastRunMs = ms;
    report.inputs += inputs.length;
    outcomes.forEach((outcome, i) => {
      if (!outcome.ok) throw new WarmupFailedError(run, i, outcome.error);
      const total = Object.values(outcome.probabilities).reduce((a, p) => a + p, 0);
      if (!(Math.abs(total - 1) < 1e-6)) throw new WarmupFailedError(run, i, new Error(`probabilities sum to ${total}, not 1`));
    });
  }
  report.ms = performance.now() - started;
  logger?.info({ ...roundAll(report) }, 'model warmed up');
  return report;
}

function roundAll(r: WarmupReport): WarmupReport {
  return { runs: r.runs, inputs: r.inputs, ms: Math.round(r.ms), firstRunMs: +r.firstRunMs.toFixed(1), lastRunMs: +r.lastRunMs.toFixed(1) };
}
