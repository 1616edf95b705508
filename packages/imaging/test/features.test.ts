import sharp from 'sharp';
import {
  FeatureSetMismatchError,
  ImageRejectedError,
  LGBM_FEATURE_SET,
  WORKING_SIZE,
  assertFeatureSet,
  extractLgbmFeatures,
  featuresFromWorkingImage,
} from '@cataract/imaging';
import { Rgb, syntheticEye } from './synthetic';

const BLACK_PUPIL: Rgb = [12, 10, 10];
const CLOUDY_PUPIL: Rgb = [185, 190, 195];
const names = LGBM_FEATURE_SET.names;
const at = (v: Float64Array, name: string) => {
  const k = names.indexOf(name);
  if (k < 0) throw new Error(`no feature ${name}`);
  return v[k];
};

/** Largest per-feature difference, each scaled by the feature's natural range. */
function scaledDistance(a: Float64Array, b: Float64Array): { worst: string; value: number } {
  let worst = '';
  let value = 0;
  names.forEach((name, k) => {
    const d = Math.abs(a[k] - b[k]) / featureRange(name);
    if (d > value) {
      value = d;
      worst = name;
    }
  });
  return { worst, value };
}

/** Natural scale of a feature from its name: fractions (incl. eye geometry), 8-bit channels, L*a*b* units, gradients. */
function featureRange(name: string): number {
  if (/_frac$|_lbp_|_sat_|^eye_(radius|offset)/.test(name)) return 1;
  if (/_[rgb]_(mean|std)$/.test(name)) return 255;
  return 100;
}

describe('LGBM_FEATURE_SET', () => {
  it('is named, versioned and has unique names', () => {
    expect(LGBM_FEATURE_SET.name).toBe('eye-regions');
    expect(LGBM_FEATURE_SET.version).toBe('2');
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('centre_l_p05');
    expect(names.filter((n) => n.startsWith('centre_lbp_'))).toHaveLength(10);
  });

  it('assertFeatureSet accepts its own id and names both sides on mismatch', () => {
    expect(() => assertFeatureSet({ name: 'eye-regions', version: '2' })).not.toThrow();
    expect(() => assertFeatureSet({ name: 'eye-regions', version: '0' })).toThrow(FeatureSetMismatchError);
    expect(() => assertFeatureSet({ name: 'other', version: '2' })).toThrow(/'eye-regions' v2.*'other' v2/);
    // A model trained on v1 (fixed regions only) is refused by a v2 build.
    expect(() => assertFeatureSet({ name: 'eye-regions', version: '1' })).toThrow(/v2.*v1/);
  });
});

describe('extractLgbmFeatures', () => {
  let black512: Float64Array;
  let black256: Float64Array;
  let cloudy512: Float64Array;

  beforeAll(async () => {
    [black512, black256, cloudy512] = await Promise.all([
      syntheticEye({ size: 512, pupil: BLACK_PUPIL }).then((b) => extractLgbmFeatures(b)),
      syntheticEye({ size: 256, pupil: BLACK_PUPIL }).then((b) => extractLgbmFeatures(b)),
      syntheticEye({ size: 512, pupil: CLOUDY_PUPIL }).then((b) => extractLgbmFeatures(b)),
    ]);
  });

  it('returns one finite value per named feature', () => {
    expect(black512).toBeInstanceOf(Float64Array);
    expect(black512.length).toBe(names.length);
    expect(black512.every(Number.isFinite)).toBe(true);
  });

  it('is deterministic', async () => {
    const again = await extractLgbmFeatures(await syntheticEye({ size: 512, pupil: BLACK_PUPIL }));
    expect(Array.from(again)).toEqual(Array.from(black512));
  });

  it('separates a black pupil from a cloudy one on pupil darkness', () => {
    expect(at(black512, 'centre_l_p05')).toBeLessThan(15);
    expect(at(cloudy512, 'centre_l_p05')).toBeGreaterThan(60);
    expect(at(black512, 'centre_dark_frac')).toBeGreaterThan(0.4);
    expect(at(cloudy512, 'centre_dark_frac')).toBe(0);
  });

  it('barely depends on the source resolution (512 vs 256 px of the same eye)', () => {
    const resolution = scaledDistance(black512, black256);
    const pupil = scaledDistance(black512, cloudy512);
    expect(resolution.value).toBeLessThan(0.03);
    // The class signal is an order of magnitude larger than the resolution change.
    expect(pupil.value).toBeGreaterThan(10 * resolution.value);
    expect(Math.abs(at(black512, 'centre_l_p05') - at(black256, 'centre_l_p05'))).toBeLessThan(2);
  });

  it('ignores the aspect ratio outside the centre square (cover crop)', async () => {
    const eye = await syntheticEye({ size: 256, pupil: BLACK_PUPIL, format: 'png' });
    // Pad the same eye with 64 px of sclera-coloured margin on each side: a wider photo.
    const wide = await sharp(eye)
      .extend({ left: 64, right: 64, background: { r: 235, g: 228, b: 222 } })
      .png()
      .toBuffer();
    const a = await extractLgbmFeatures(eye);
    const b = await extractLgbmFeatures(wide);
    expect(scaledDistance(a, b).value).toBeLessThan(0.01);
  });

  it('refuses input that is not an accepted image', async () => {
    await expect(extractLgbmFeatures(Buffer.from('GIF89a....'))).rejects.toBeInstanceOf(ImageRejectedError);
  });

  it('featuresFromWorkingImage checks the working size', () => {
    expect(() => featuresFromWorkingImage(new Uint8Array(10))).toThrow(RangeError);
    const grey = new Uint8Array(WORKING_SIZE * WORKING_SIZE * 3).fill(128);
    const v = featuresFromWorkingImage(grey);
    // A flat grey image: no texture, no gradient, every LBP pattern is the flat one (u8).
    expect(at(v, 'centre_grad_mean')).toBe(0);
    expect(at(v, 'centre_lbp_u8')).toBe(1);
    expect(at(v, 'centre_l_p05')).toBeCloseTo(at(v, 'centre_l_p95'), 10);
    expect(at(v, 'centre_l_p50')).toBeCloseTo(53.585, 2); // CIE L* of sRGB (128,128,128)
  });
});
