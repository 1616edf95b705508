/**
 * Per-photo input statistics, the quantities drift monitoring compares between the photos a model
 * was trained on and the photos it is asked about. They are computed on the image a model already
 * decodes (the lgbm working square, the clip tensor's pixels), so serving adds arithmetic over at
 * most a few ten thousand pixels and no decode.
 *  - long_side: the original image's longer side in pixels (from its header): new cameras,
 *    thumbnails or screenshots show up here first.
 *  - brightness: mean luma (Rec. 601 weights) of the view, 0-255.
 *  - colourfulness: Hasler and Suesstrunk's metric (2003) of the view, on the 0-255 scale: the
 *    spread plus 0.3 x the mean of the opponent channels rg = R - G and yb = (R + G) / 2 - B.
 *  - sharpness: variance of the 4-neighbour Laplacian of the view's luma (interior pixels). The
 *    view has a fixed size per model type, so the figure does not depend on the upload's size.
 */
export const INPUT_STATISTICS = ['long_side', 'brightness', 'colourfulness', 'sharpness'] as const;
export type InputStatistic = (typeof INPUT_STATISTICS)[number];
export type InputStats = Record<InputStatistic, number>;

/** Width and height of the original image (its header's, before any resize). */
export interface SourceSize {
  width: number;
  height: number;
}

/**
 * Reads the view's pixel `i` (row-major) channel `c` as 0-255. Lets the same arithmetic run on a
 * plain RGB buffer and on a normalised float tensor without copying either.
 */
export type PixelReader = (i: number, c: 0 | 1 | 2) => number;

/** Statistics of an RGB uint8 view (row-major, 3 channels, no padding). */
export function inputStatsOfRgb(rgb: Uint8Array, width: number, height: number, source: SourceSize): InputStats {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 3 && height >= 3)) {
    throw new RangeError(`a view of at least 3x3 pixels is needed, got ${width}x${height}`);
  }
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`expected ${width}x${height} RGB (${width * height * 3} bytes), got ${rgb.length}`);
  }
  if (!(source.width > 0 && source.height > 0)) throw new RangeError(`bad source size ${source.width}x${source.height}`);
  const n = width * height;
  const luma = scratch(n);
  let lumaSum = 0;
  let rgSum = 0;
  let rgSq = 0;
  let ybSum = 0;
  let ybSq = 0;
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const r = rgb[p];
    const g = rgb[p + 1];
    const b = rgb[p + 2];
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    luma[i] = l;
    lumaSum += l;
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    rgSum += rg;
    rgSq += rg * rg;
    ybSum += yb;
    ybSq += yb * yb;
  }
  const rgMean = rgSum / n;
  const ybMean = ybSum / n;
  const rgVar = Math.max(0, rgSq / n - rgMean * rgMean);
  const ybVar = Math.max(0, ybSq / n - ybMean * ybMean);
  return {
    long_side: Math.max(source.width, source.height),
    brightness: lumaSum / n,
    colourfulness: Math.sqrt(rgVar + ybVar) + 0.3 * Math.sqrt(rgMean * rgMean + ybMean * ybMean),
    sharpness: laplacianVariance(luma, width, height),
  };
}

/** Statistics of a width x height view read through `pixel` (copied into bytes first: one tight loop). */
export function inputStatsOfPixels(pixel: PixelReader, width: number, height: number, source: SourceSize): InputStats {
  const n = Math.max(0, width * height);
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = pixel(i, 0);
    rgb[i * 3 + 1] = pixel(i, 1);
    rgb[i * 3 + 2] = pixel(i, 2);
  }
  return inputStatsOfRgb(rgb, width, height, source);
}

/**
 * The luma plane, reused across calls (every value read from it is copied into a number before the
 * call returns): a fresh 400 KB array per 224 px photo cost more than the arithmetic.
 */
let lumaScratch = new Float64Array(0);
function scratch(n: number): Float64Array {
  if (lumaScratch.length < n) lumaScratch = new Float64Array(n);
  return lumaScratch;
}

/** Variance of 4 * centre - (up + down + left + right) over the interior pixels. */
function laplacianVariance(luma: Float64Array, width: number, height: number): number {
  let sum = 0;
  let sq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    const row = y * width;
    for (let x = 1; x < width - 1; x++) {
      const i = row + x;
      const lap = luma[i - width] + luma[i + width] + luma[i - 1] + luma[i + 1] - 4 * luma[i];
      sum += lap;
      sq += lap * lap;
      count++;
    }
  }
  const mean = sum / count;
  return Math.max(0, sq / count - mean * mean);
}
