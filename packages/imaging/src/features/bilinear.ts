/**
 * Bilinear sampling of a square plane, clamped to the border, as used by the circle searches
 * (eye-locator.ts, pupil-locator.ts), and the "taps" those searches precompute.
 *
 * A circle search samples `centre + offset` for many integer centres and a fixed set of offsets
 * (radius x cos/sin of an angle). Along each axis, the clamped cell and fraction of such a
 * coordinate depend only on (centre, offset), never on the other axis, so they are computed once
 * per (centre, offset) instead of once per sample. A sample from taps then multiplies and adds the
 * same doubles in the same order as sampleBilinear, so it is identical to the last bit.
 */

/** Bilinear sample of a square plane, clamped to the border. */
export function sampleBilinear(p: Float32Array | Float64Array, size: number, x: number, y: number): number {
  const max = size - 1.001;
  const cx = x < 0 ? 0 : x > max ? max : x;
  const cy = y < 0 ? 0 : y > max ? max : y;
  const x0 = cx | 0;
  const y0 = cy | 0;
  const fx = cx - x0;
  const fy = cy - y0;
  const i = y0 * size + x0;
  return (p[i] * (1 - fx) + p[i + 1] * fx) * (1 - fy) + (p[i + size] * (1 - fx) + p[i + size + 1] * fx) * fy;
}

/**
 * Taps along one axis of a `size` plane for every coordinate centres[c] + offsets[j], written at
 * entry c * offsets.length + j: `start` gets the first cell's contribution to the sample's index
 * (the cell times `stride`: 1 for x, `size` for y) and `frac` the weight of the next cell (the
 * first cell's weight is 1 - frac). Same clamp, truncation and fraction as sampleBilinear.
 */
export function fillAxisTaps(
  size: number,
  centres: ArrayLike<number>,
  offsets: Float64Array,
  stride: number,
  start: Int32Array,
  frac: Float64Array,
): void {
  const max = size - 1.001;
  if (start.length < centres.length * offsets.length) throw new RangeError('tap table too small');
  for (let c = 0, e = 0; c < centres.length; c++) {
    for (let j = 0; j < offsets.length; j++, e++) {
      const v = centres[c] + offsets[j];
      const cv = v < 0 ? 0 : v > max ? max : v;
      const v0 = cv | 0;
      start[e] = v0 * stride;
      frac[e] = cv - v0;
    }
  }
}
