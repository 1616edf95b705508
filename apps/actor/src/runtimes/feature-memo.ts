/**
 * The lgbm features of an upload, kept for as long as its bytes are alive. Every lgbm version an
 * actor can load computes the same feature set (LightgbmRuntime.load refuses any other), so a shadow
 * version run on a copy of a request reuses the features the answering version computed instead of
 * decoding the photo again: the decode is nearly all of an lgbm prediction's cost, the tree walk
 * microseconds. Keyed by the Buffer object, so an entry goes with the job's bytes; the arrays are
 * never written after they are stored.
 */
const memo = new WeakMap<Buffer, Float64Array>();

export function rememberFeatures(input: Buffer, features: Float64Array): void {
  memo.set(input, features);
}

export function recallFeatures(input: Buffer): Float64Array | undefined {
  return memo.get(input);
}
