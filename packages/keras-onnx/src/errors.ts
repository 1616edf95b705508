/** Typed conversion errors, so callers can tell a bad model file from an unsupported feature. */

export class KerasOnnxError extends Error {
  override name = 'KerasOnnxError';
}

/** The model JSON / weights manifest is malformed or inconsistent with the weight data. */
export class InvalidKerasModelError extends KerasOnnxError {
  override name = 'InvalidKerasModelError';
}

/** A layer class, or a layer option, that this converter does not translate. */
export class UnsupportedLayerError extends KerasOnnxError {
  override name = 'UnsupportedLayerError';
  constructor(
    readonly layerName: string,
    readonly className: string,
    detail?: string,
  ) {
    super(`layer "${layerName}" (${className}) is not supported${detail ? `: ${detail}` : ''}`);
  }
}

/** A weight a layer needs is absent from the weights manifest, or has an unexpected shape. */
export class WeightError extends KerasOnnxError {
  override name = 'WeightError';
}

/** Static shape inference failed (e.g. an input too small for a valid convolution). */
export class ShapeError extends KerasOnnxError {
  override name = 'ShapeError';
}
