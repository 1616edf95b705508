import { checkImageHeader } from '../header';
import { BLACK, decodeRgb } from '../pipeline';
import { DecodeLimits } from '../probe';
import { TENSOR_RESIZE_KERNEL, TensorSpec } from '../tensor';
import { FEATURE_RESIZE_KERNEL } from '../features/extract';
import { WORKING_SIZE } from '../features/regions';
import { InputStats, SourceSize, inputStatsOfRgb } from './input-stats';

/**
 * The image input statistics are measured on: the size and fit a model type's preprocessing
 * resizes to. A reference file records its view, so serving and reference measure the same pixels
 * (sharpness in particular depends on the scale).
 */
export interface StatsView {
  width: number;
  height: number;
  fit: 'fill' | 'cover' | 'contain';
}

/** The lgbm feature set's working square (WORKING_SIZE, centre 'cover' crop). */
export const LGBM_STATS_VIEW: StatsView = { width: WORKING_SIZE, height: WORKING_SIZE, fit: 'cover' };

/** The view of an ONNX model: its input tensor's size and fit. */
export function statsViewOfTensorSpec(spec: Pick<TensorSpec, 'width' | 'height' | 'resize'>): StatsView {
  return { width: spec.width, height: spec.height, fit: spec.resize };
}

/** Both resize kernels are lanczos3; one constant keeps the view decode identical to both paths. */
const VIEW_KERNEL = FEATURE_RESIZE_KERNEL === TENSOR_RESIZE_KERNEL ? FEATURE_RESIZE_KERNEL : undefined;

/**
 * Decode `buf` to `view` the way the model's own preprocessing does and measure it. For tools that
 * build a reference distribution; serving measures the pixels it already holds (below).
 */
export async function inputStatsOfImage(buf: Buffer, view: StatsView, opts: DecodeLimits = {}): Promise<InputStats> {
  if (!VIEW_KERNEL) throw new Error('the feature and tensor resize kernels differ; a stats view needs one');
  const { data, width, height } = await decodeRgb(buf, opts, (image) =>
    image.resize(view.width, view.height, { fit: view.fit, position: 'centre', kernel: VIEW_KERNEL, background: BLACK }),
  );
  return inputStatsOfRgb(data, width, height, sourceSizeOf(buf, opts));
}

/** The original image's size from its header (cheap: no libvips call). */
export function sourceSizeOf(buf: Buffer, opts: DecodeLimits = {}): SourceSize {
  const { width, height } = checkImageHeader(buf, opts);
  return { width, height };
}

/**
 * Statistics of the image held in `tensor` at `offset` (as imageToTensor wrote it under `spec`):
 * each value is mapped back to its 0-255 byte ((t * std + mean) * 255, rounded), so the figures
 * equal those of the decoded view without a second decode.
 */
/** The bytes read back from a tensor slot, reused across calls of the same size. */
let rgbScratch = new Uint8Array(0);

export function inputStatsOfTensor(tensor: Float32Array, offset: number, spec: TensorSpec, source: SourceSize): InputStats {
  const plane = spec.width * spec.height;
  if (rgbScratch.length !== plane * 3) rgbScratch = new Uint8Array(plane * 3);
  const rgb = rgbScratch;
  for (let c = 0; c < 3; c++) {
    const scale = spec.std[c] * 255;
    const shift = spec.mean[c] * 255;
    // NCHW: channel c is one plane; NHWC: every third value from c.
    const start = offset + (spec.layout === 'NCHW' ? c * plane : c);
    const step = spec.layout === 'NCHW' ? 1 : 3;
    for (let i = 0, t = start, p = c; i < plane; i++, t += step, p += 3) {
      // clamped, then rounded half up as Math.round does (`| 0` truncates a value known to be in 0-255)
      const x = tensor[t] * scale + shift;
      rgb[p] = x <= 0 ? 0 : x >= 255 ? 255 : (x + 0.5) | 0;
    }
  }
  return inputStatsOfRgb(rgb, spec.width, spec.height, source);
}
