import { DecodeLimits } from '../probe';
import { openImage, toRgb8 } from '../pipeline';
import { colourPlanes } from './colour';
import { colourStats } from './colour-stats';
import {
  CENTRE_PERCENTILES,
  LBP_REGIONS,
  LGBM_FEATURE_SET,
  OUTER_PERCENTILES,
  RING_PERCENTILES,
  percentileName,
} from './feature-set';
import { LOCATOR_SIZE, locateEye } from './eye-locator';
import { IRIS_PERCENTILES, PUPIL_PERCENTILES, RADIAL_RINGS, eyeStats } from './eye-stats';
import { gradientStats } from './gradients';
import { LENS_PERCENTILES, lensStats } from './lens-stats';
import { locatePupil } from './pupil-locator';
import { LBP_BIN_NAMES, lbpHistogram } from './lbp';
import { regionPercentiles } from './percentiles';
import { REGIONS, TEXTURE_SIZE, WORKING_SIZE, regionMap } from './regions';
import { binomialBlur, halveSquare } from './texture-grid';

/**
 * Kernel of the geometry normalisation. sharp uses JPEG shrink-on-load first (the decoder skips
 * DCT detail it would discard anyway), then this kernel for the remaining reduction.
 */
export const FEATURE_RESIZE_KERNEL = 'lanczos3' as const;

/**
 * Decode `buf` straight to the WORKING_SIZE square (centre 'cover' crop) and compute the
 * LGBM_FEATURE_SET vector. Throws ImageRejectedError for refused input.
 */
export async function extractLgbmFeatures(buf: Buffer, opts: DecodeLimits = {}): Promise<Float64Array> {
  const { image } = await openImage(buf, opts);
  const { data } = await toRgb8(
    image.resize(WORKING_SIZE, WORKING_SIZE, { fit: 'cover', position: 'centre', kernel: FEATURE_RESIZE_KERNEL }),
  );
  return featuresFromWorkingImage(data);
}

/**
 * Pure part of the extractor: the feature vector of a WORKING_SIZE x WORKING_SIZE RGB uint8 image.
 * Exposed for tools that already hold normalised pixels.
 */
export function featuresFromWorkingImage(rgb: Uint8Array): Float64Array {
  const pixels = WORKING_SIZE * WORKING_SIZE;
  if (rgb.length !== pixels * 3) {
    throw new RangeError(`expected ${WORKING_SIZE}x${WORKING_SIZE} RGB (${pixels * 3} bytes), got ${rgb.length}`);
  }
  const regions = regionMap(WORKING_SIZE);
  const textureRegions = regionMap(TEXTURE_SIZE);
  const planes = colourPlanes(rgb, pixels);
  const texturePlane = binomialBlur(halveSquare(planes.lightness, WORKING_SIZE), TEXTURE_SIZE);

  const values = new Map<string, number>();
  const colour = colourStats(planes, regions);
  const gradients = gradientStats(texturePlane, textureRegions);
  REGIONS.forEach((region, r) => {
    for (const [stat, v] of Object.entries(colour[r])) values.set(`${region}_${stat}`, v);
    values.set(`${region}_grad_mean`, gradients[r].mean);
    values.set(`${region}_grad_std`, gradients[r].std);
  });

  const percentileGroups = [
    ['centre', CENTRE_PERCENTILES],
    ['ring', RING_PERCENTILES],
    ['outer', OUTER_PERCENTILES],
  ] as const;
  for (const [region, quantiles] of percentileGroups) {
    const found = regionPercentiles(planes.lightness, regions, REGIONS.indexOf(region), quantiles);
    quantiles.forEach((q, k) => values.set(`${region}_l_${percentileName(q)}`, found[k]));
  }

  const get = (name: string) => values.get(name)!;
  values.set('contrast_centre_l_p05_minus_ring_l_p50', get('centre_l_p05') - get('ring_l_p50'));
  values.set('contrast_centre_l_mean_minus_ring_l_mean', get('centre_l_mean') - get('ring_l_mean'));
  values.set('contrast_centre_l_mean_minus_outer_l_mean', get('centre_l_mean') - get('outer_l_mean'));

  for (const region of LBP_REGIONS) {
    const hist = lbpHistogram(texturePlane, textureRegions, REGIONS.indexOf(region));
    LBP_BIN_NAMES.forEach((bin, k) => values.set(`${region}_lbp_${bin}`, hist[k]));
  }

  // v2: the same statistics relative to the located eye. The locator grid is the texture grid
  // blurred once more: the circle search wants smooth profiles, not iris texture.
  const locatorPlane = binomialBlur(texturePlane, TEXTURE_SIZE);
  const eye = locateEye(locatorPlane, LOCATOR_SIZE);
  values.set('eye_limbus_step', eye.score);
  values.set('eye_radius', eye.r / LOCATOR_SIZE);
  values.set('eye_offset_x', (eye.x - LOCATOR_SIZE / 2) / LOCATOR_SIZE);
  values.set('eye_offset_y', (eye.y - LOCATOR_SIZE / 2) / LOCATOR_SIZE);
  const es = eyeStats(planes, WORKING_SIZE, eye);
  for (let k = 0; k < RADIAL_RINGS; k++) {
    values.set(`eye_ring${k}_l_mean`, es.ringL[k]);
    values.set(`eye_ring${k}_white_frac`, es.ringWhite[k]);
    values.set(`eye_ring${k}_sat_mean`, es.ringSat[k]);
  }
  PUPIL_PERCENTILES.forEach((q, k) => values.set(`eye_pupil_l_${percentileName(q)}`, es.pupilL[k]));
  IRIS_PERCENTILES.forEach((q, k) => values.set(`eye_iris_l_${percentileName(q)}`, es.irisL[k]));
  values.set('eye_pupil_white_frac', es.pupilWhite);
  values.set('eye_pupil_lab_b_mean', es.pupilLabB);
  values.set('eye_pupil_sat_mean', es.pupilSat);
  values.set('eye_pupil_dark_frac', es.pupilDark);
  values.set('eye_iris_sat_mean', es.irisSat);
  values.set('eye_iris_chroma_mean', es.irisChroma);
  values.set('eye_contrast_pupil_l_p50_minus_iris_l_p50', es.pupilL[2] - es.irisL[1]);
  values.set('eye_contrast_pupil_l_p05_minus_iris_l_p25', es.pupilL[0] - es.irisL[0]);
  const pupil = locatePupil(locatorPlane, LOCATOR_SIZE, eye);
  values.set('lens_radius_ratio', pupil.r / eye.r);
  values.set('lens_contrast', pupil.contrast);
  values.set('lens_abs_contrast', Math.abs(pupil.contrast));
  const lens = lensStats(planes, WORKING_SIZE, pupil);
  LENS_PERCENTILES.forEach((q, k) => values.set(`lens_l_${percentileName(q)}`, lens.l[k]));
  values.set('lens_white_frac', lens.white);
  values.set('lens_lab_b_mean', lens.labB);
  values.set('lens_sat_mean', lens.sat);
  values.set('lens_dark_frac', lens.dark);

  const names = LGBM_FEATURE_SET.names;
  const out = new Float64Array(names.length);
  for (let k = 0; k < names.length; k++) {
    const v = values.get(names[k]);
    // A missing name is a programming error in this file; never emit a silent 0.
    if (v === undefined || !Number.isFinite(v)) throw new Error(`feature ${names[k]} not computed (${v})`);
    out[k] = v;
  }
  return out;
}
