import { DecodeLimits } from '../probe';
import { decodeRgb } from '../pipeline';
import { colourPlanes } from './colour';
import { COLOUR_STAT_COUNT, COLOUR_STAT_NAMES, colourStats } from './colour-stats';
import {
  CENTRE_PERCENTILES,
  LBP_REGIONS,
  LGBM_FEATURE_SET,
  OUTER_PERCENTILES,
  RING_PERCENTILES,
  percentileName,
} from './feature-set';
import { EyeCircle, LOCATOR_SIZE, locateEye } from './eye-locator';
import { IRIS_PERCENTILES, PUPIL_PERCENTILES, RADIAL_RINGS, eyeStats } from './eye-stats';
import { gradientStats } from './gradients';
import { LENS_PERCENTILES, lensStats } from './lens-stats';
import { PupilCircle, locatePupil } from './pupil-locator';
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
  return featuresFromWorkingImage(await decodeWorkingImage(buf, opts));
}

/**
 * Where extractLgbmFeatures locates the eye and the pupil in `buf`, in working-image pixels, with
 * that working image (for drawing them). Throws ImageRejectedError for refused input.
 */
export async function locateEyeInImage(buf: Buffer, opts: DecodeLimits = {}): Promise<EyeGeometry & { working: Buffer }> {
  const working = await decodeWorkingImage(buf, opts);
  return { ...eyeGeometryOfWorkingImage(working), working };
}

/**
 * The working image extractLgbmFeatures computes features from: `buf` decoded straight to the
 * WORKING_SIZE square (centre 'cover' crop), RGB uint8. For tools that time or compare the two
 * steps apart; throws ImageRejectedError for refused input.
 */
export async function decodeWorkingImage(buf: Buffer, opts: DecodeLimits = {}): Promise<Buffer> {
  const { data } = await decodeRgb(buf, opts, (image) =>
    image.resize(WORKING_SIZE, WORKING_SIZE, { fit: 'cover', position: 'centre', kernel: FEATURE_RESIZE_KERNEL }),
  );
  return data;
}

/**
 * Output position of every value computed below, resolved from the feature names once at load
 * time (building ~140 name strings and a Map per image cost more than some of the statistics).
 */
const SLOT = (() => {
  const position = new Map(LGBM_FEATURE_SET.names.map((name, k) => [name, k]));
  const at = (name: string) => {
    const k = position.get(name);
    if (k === undefined) throw new Error(`feature ${name} is not in ${LGBM_FEATURE_SET.name} v${LGBM_FEATURE_SET.version}`);
    return k;
  };
  const rings = (stat: string) => Array.from({ length: RADIAL_RINGS }, (_, k) => at(`eye_ring${k}_${stat}`));
  const percentiles = (prefix: string, quantiles: readonly number[]) => quantiles.map((q) => at(`${prefix}_${percentileName(q)}`));
  return {
    colour: REGIONS.map((region) => COLOUR_STAT_NAMES.map((stat) => at(`${region}_${stat}`))),
    gradMean: REGIONS.map((region) => at(`${region}_grad_mean`)),
    gradStd: REGIONS.map((region) => at(`${region}_grad_std`)),
    regionPercentiles: ([['centre', CENTRE_PERCENTILES], ['ring', RING_PERCENTILES], ['outer', OUTER_PERCENTILES]] as const).map(
      ([region, quantiles]) => ({ region: REGIONS.indexOf(region), quantiles, slots: percentiles(`${region}_l`, quantiles) }),
    ),
    centreP05: at('centre_l_p05'),
    ringP50: at('ring_l_p50'),
    contrastCentreP05RingP50: at('contrast_centre_l_p05_minus_ring_l_p50'),
    contrastCentreRingMean: at('contrast_centre_l_mean_minus_ring_l_mean'),
    contrastCentreOuterMean: at('contrast_centre_l_mean_minus_outer_l_mean'),
    lbp: LBP_REGIONS.map((region) => ({ region: REGIONS.indexOf(region), slots: LBP_BIN_NAMES.map((bin) => at(`${region}_lbp_${bin}`)) })),
    eyeLimbusStep: at('eye_limbus_step'),
    eyeRadius: at('eye_radius'),
    eyeOffsetX: at('eye_offset_x'),
    eyeOffsetY: at('eye_offset_y'),
    ringL: rings('l_mean'),
    ringWhite: rings('white_frac'),
    ringSat: rings('sat_mean'),
    pupilL: percentiles('eye_pupil_l', PUPIL_PERCENTILES),
    irisL: percentiles('eye_iris_l', IRIS_PERCENTILES),
    pupilWhite: at('eye_pupil_white_frac'),
    pupilLabB: at('eye_pupil_lab_b_mean'),
    pupilSat: at('eye_pupil_sat_mean'),
    pupilDark: at('eye_pupil_dark_frac'),
    irisSat: at('eye_iris_sat_mean'),
    irisChroma: at('eye_iris_chroma_mean'),
    pupilIrisP50: at('eye_contrast_pupil_l_p50_minus_iris_l_p50'),
    pupilP05IrisP25: at('eye_contrast_pupil_l_p05_minus_iris_l_p25'),
    lensRadiusRatio: at('lens_radius_ratio'),
    lensContrast: at('lens_contrast'),
    lensAbsContrast: at('lens_abs_contrast'),
    lensL: percentiles('lens_l', LENS_PERCENTILES),
    lensWhite: at('lens_white_frac'),
    lensLabB: at('lens_lab_b_mean'),
    lensSat: at('lens_sat_mean'),
    lensDark: at('lens_dark_frac'),
  };
})();

const [CENTRE, RING, OUTER] = [0, 1, 2];
const L_MEAN = COLOUR_STAT_NAMES.indexOf('l_mean');

/** Texture and locator grids, reused across calls (every value taken from them is a copied number). */
const texturePlane = new Float32Array(TEXTURE_SIZE * TEXTURE_SIZE);
const locatorPlane = new Float32Array(TEXTURE_SIZE * TEXTURE_SIZE);
const halved = new Float32Array(TEXTURE_SIZE * TEXTURE_SIZE);

/**
 * Pure part of the extractor: the feature vector of a WORKING_SIZE x WORKING_SIZE RGB uint8 image.
 * Exposed for tools that already hold normalised pixels.
 */
export function featuresFromWorkingImage(rgb: Uint8Array): Float64Array {
  // NaN marks "not computed": checked at the end, so a missing value is never a silent 0.
  const out = new Float64Array(LGBM_FEATURE_SET.names.length).fill(NaN);
  const planes = prepareGrids(rgb);
  writeRegionFeatures(out, planes.lightness);
  // v2: the same statistics relative to the located eye.
  writeEyeFeatures(out, locateEyeAndPupil());
  for (let k = 0; k < out.length; k++) {
    // A value left unwritten is a programming error in this file; never emit a silent 0.
    if (!Number.isFinite(out[k])) throw new Error(`feature ${LGBM_FEATURE_SET.names[k]} not computed (${out[k]})`);
  }
  return out;
}

/** A circle in working-image pixels (WORKING_SIZE square; x and y from its top-left corner). */
export interface WorkingCircle {
  x: number;
  y: number;
  r: number;
}

/** Where the feature extractor located the eye (limbus) and the pupil it measured as the lens. */
export interface EyeGeometry {
  eye: WorkingCircle & { score: number };
  pupil: WorkingCircle & { contrast: number };
}

/**
 * The eye and pupil circles featuresFromWorkingImage measures from, for diagnostics (e.g. drawing
 * them over the working image to see why a photo is misclassified). Same steps, same circles.
 */
export function eyeGeometryOfWorkingImage(rgb: Uint8Array): EyeGeometry {
  prepareGrids(rgb);
  const { eye, pupil } = locateEyeAndPupil();
  // Locator cell (x, y) covers working pixels [x * scale, (x + 1) * scale): the same centre eyeStats uses.
  const scale = WORKING_SIZE / LOCATOR_SIZE;
  const toWorking = (c: { x: number; y: number; r: number }) => ({ x: (c.x + 0.5) * scale, y: (c.y + 0.5) * scale, r: c.r * scale });
  return { eye: { ...toWorking(eye), score: eye.score }, pupil: { ...toWorking(pupil), contrast: pupil.contrast } };
}

/**
 * Colour planes of `rgb` (WORKING_PLANES), its texture grid and the locator grid. The locator grid
 * is the texture grid blurred once more: the circle search wants smooth profiles, not iris texture.
 */
function prepareGrids(rgb: Uint8Array) {
  const pixels = WORKING_SIZE * WORKING_SIZE;
  if (rgb.length !== pixels * 3) {
    throw new RangeError(`expected ${WORKING_SIZE}x${WORKING_SIZE} RGB (${pixels * 3} bytes), got ${rgb.length}`);
  }
  const planes = colourPlanes(rgb);
  binomialBlur(halveSquare(planes.lightness, WORKING_SIZE, halved), TEXTURE_SIZE, texturePlane);
  binomialBlur(texturePlane, TEXTURE_SIZE, locatorPlane);
  return planes;
}

/** The iris circle on the locator grid, then the pupil inside it. */
function locateEyeAndPupil(): { eye: EyeCircle; pupil: PupilCircle } {
  const eye = locateEye(locatorPlane, LOCATOR_SIZE);
  return { eye, pupil: locatePupil(locatorPlane, LOCATOR_SIZE, eye) };
}

/** v1's features: statistics of the fixed concentric regions (colour planes and texture grid). */
function writeRegionFeatures(out: Float64Array, lightness: Float32Array): void {
  const regions = regionMap(WORKING_SIZE);
  const textureRegions = regionMap(TEXTURE_SIZE);
  const colour = colourStats();
  const gradients = gradientStats(texturePlane, textureRegions);
  for (let r = 0; r < REGIONS.length; r++) {
    SLOT.colour[r].forEach((slot, s) => (out[slot] = colour[r * COLOUR_STAT_COUNT + s]));
    out[SLOT.gradMean[r]] = gradients[r].mean;
    out[SLOT.gradStd[r]] = gradients[r].std;
  }
  for (const { region, quantiles, slots } of SLOT.regionPercentiles) {
    const found = regionPercentiles(lightness, regions, region, quantiles);
    slots.forEach((slot, k) => (out[slot] = found[k]));
  }
  const lMean = (region: number) => colour[region * COLOUR_STAT_COUNT + L_MEAN];
  out[SLOT.contrastCentreP05RingP50] = out[SLOT.centreP05] - out[SLOT.ringP50];
  out[SLOT.contrastCentreRingMean] = lMean(CENTRE) - lMean(RING);
  out[SLOT.contrastCentreOuterMean] = lMean(CENTRE) - lMean(OUTER);
  for (const { region, slots } of SLOT.lbp) {
    const hist = lbpHistogram(texturePlane, textureRegions, region);
    slots.forEach((slot, k) => (out[slot] = hist[k]));
  }
}

/** v2's features: the located eye, its radial profile, pupil, iris and lens. */
function writeEyeFeatures(out: Float64Array, { eye, pupil }: { eye: EyeCircle; pupil: PupilCircle }): void {
  out[SLOT.eyeLimbusStep] = eye.score;
  out[SLOT.eyeRadius] = eye.r / LOCATOR_SIZE;
  out[SLOT.eyeOffsetX] = (eye.x - LOCATOR_SIZE / 2) / LOCATOR_SIZE;
  out[SLOT.eyeOffsetY] = (eye.y - LOCATOR_SIZE / 2) / LOCATOR_SIZE;
  const es = eyeStats(eye);
  for (let k = 0; k < RADIAL_RINGS; k++) {
    out[SLOT.ringL[k]] = es.ringL[k];
    out[SLOT.ringWhite[k]] = es.ringWhite[k];
    out[SLOT.ringSat[k]] = es.ringSat[k];
  }
  SLOT.pupilL.forEach((slot, k) => (out[slot] = es.pupilL[k]));
  SLOT.irisL.forEach((slot, k) => (out[slot] = es.irisL[k]));
  out[SLOT.pupilWhite] = es.pupilWhite;
  out[SLOT.pupilLabB] = es.pupilLabB;
  out[SLOT.pupilSat] = es.pupilSat;
  out[SLOT.pupilDark] = es.pupilDark;
  out[SLOT.irisSat] = es.irisSat;
  out[SLOT.irisChroma] = es.irisChroma;
  out[SLOT.pupilIrisP50] = es.pupilL[2] - es.irisL[1];
  out[SLOT.pupilP05IrisP25] = es.pupilL[0] - es.irisL[0];
  out[SLOT.lensRadiusRatio] = pupil.r / eye.r;
  out[SLOT.lensContrast] = pupil.contrast;
  out[SLOT.lensAbsContrast] = Math.abs(pupil.contrast);
  const lens = lensStats(pupil);
  SLOT.lensL.forEach((slot, k) => (out[slot] = lens.l[k]));
  out[SLOT.lensWhite] = lens.white;
  out[SLOT.lensLabB] = lens.labB;
  out[SLOT.lensSat] = lens.sat;
  out[SLOT.lensDark] = lens.dark;
}
