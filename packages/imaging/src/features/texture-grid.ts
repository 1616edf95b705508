/**
 * 2x2 box average of a square plane: the coarser grid texture features are measured on.
 * Writes into `out` when given (the extractor reuses its buffers across calls).
 */
export function halveSquare(plane: Float32Array, size: number, out = new Float32Array((size / 2) * (size / 2))): Float32Array {
  const half = size / 2;
  for (let y = 0; y < half; y++) {
    const row0 = 2 * y * size;
    const row1 = row0 + size;
    for (let x = 0; x < half; x++) {
      const c = 2 * x;
      out[y * half + x] = (plane[row0 + c] + plane[row0 + c + 1] + plane[row1 + c] + plane[row1 + c + 1]) / 4;
    }
  }
  return out;
}

let blurRows = new Float32Array(0);

/**
 * 3x3 binomial blur (1-2-1 separable, edges clamped). Applied before texture measures so that
 * sharp and slightly soft sources (small photos upscaled to the grid) look alike.
 * Writes into `out` when given; `out` must not be `plane`.
 */
export function binomialBlur(plane: Float32Array, size: number, out = new Float32Array(plane.length)): Float32Array {
  if (blurRows.length !== plane.length) blurRows = new Float32Array(plane.length);
  const tmp = blurRows;
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const l = plane[row + (x > 0 ? x - 1 : 0)];
      const r = plane[row + (x < last ? x + 1 : last)];
      tmp[row + x] = (l + 2 * plane[row + x] + r) / 4;
    }
  }
  for (let y = 0; y < size; y++) {
    const up = (y > 0 ? y - 1 : 0) * size;
    const down = (y < last ? y + 1 : last) * size;
    const row = y * size;
    for (let x = 0; x < size; x++) {
      out[row + x] = (tmp[up + x] + 2 * tmp[row + x] + tmp[down + x]) / 4;
    }
  }
  return out;
}
