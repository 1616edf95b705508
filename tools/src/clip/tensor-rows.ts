/**
 * The clip input rows as bytes, for tools outside Node (tools/python). With the clip spec
 * (mean 0, std 1) imageToTensor yields v/255 for 8-bit pixel values v, so storing v is lossless and
 * four times smaller than float32; a value that is not such a quotient means the spec changed, and
 * the export refuses rather than quietly rounding.
 */
export type RowKind = 'original' | 'resolution' | 'photometric' | 'reencoded_256';

/** Largest |t * 255 - round(t * 255)| accepted (float32 rounding of v/255 is ~1e-5). */
const TOLERANCE = 1e-3;

export function exportRows(tensors: readonly Float32Array[], size: number): Uint8Array {
  const out = new Uint8Array(tensors.length * size);
  tensors.forEach((t, r) => {
    if (t.length !== size) throw new RangeError(`row ${r} holds ${t.length} values, expected ${size}`);
    for (let i = 0; i < size; i++) {
      const v = t[i] * 255;
      const q = Math.round(v);
      if (q < 0 || q > 255 || Math.abs(v - q) > TOLERANCE) throw new RangeError(`row ${r} value ${t[i]} at ${i} is not v/255 for a byte v (the input spec must be mean 0, std 1)`);
      out[r * size + i] = q;
    }
  });
  return out;
}
