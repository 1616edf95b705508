import sharp from 'sharp';
import { LGBM_FEATURE_SET, WORKING_SIZE, extractLgbmFeatures, locateEyeInImage } from '@cataract/imaging';
import { LOCATOR_SIZE, locateEye } from '../src/features/eye-locator';
import { Rgb, syntheticEye } from './synthetic';

const BLACK_PUPIL: Rgb = [12, 10, 10];
const CLOUDY_PUPIL: Rgb = [185, 190, 195];
const SKIN = { r: 205, g: 160, b: 140 };
const names = LGBM_FEATURE_SET.names;
const at = (v: Float64Array, name: string) => {
  const k = names.indexOf(name);
  if (k < 0) throw new Error(`no feature ${name}`);
  return v[k];
};

/** A 160 px synthetic eye placed off-centre (left, above the middle) in a 320x320 skin-coloured photo. */
async function offCentreEye(pupil: Rgb): Promise<Buffer> {
  const eye = await syntheticEye({ size: 160, pupil, format: 'png' });
  return sharp(eye).extend({ left: 10, right: 150, top: 60, bottom: 100, background: SKIN }).jpeg({ quality: 92 }).toBuffer();
}

describe('locateEye', () => {
  it('finds a dark disk on a bright background off the centre', () => {
    const plane = new Float32Array(LOCATOR_SIZE * LOCATOR_SIZE).fill(90);
    for (let y = 0; y < LOCATOR_SIZE; y++) {
      for (let x = 0; x < LOCATOR_SIZE; x++) {
        if (Math.hypot(x + 0.5 - 24, y + 0.5 - 38) < 10) plane[y * LOCATOR_SIZE + x] = 30;
      }
    }
    const eye = locateEye(plane);
    expect(Math.abs(eye.x + 0.5 - 24)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(eye.y + 0.5 - 38)).toBeLessThanOrEqual(1.5);
    expect(eye.r).toBeGreaterThanOrEqual(8);
    expect(eye.r).toBeLessThanOrEqual(12);
    expect(eye.score).toBeGreaterThan(30);
  });

  it('is deterministic on a flat plane (no edge anywhere: score 0)', () => {
    const flat = new Float32Array(LOCATOR_SIZE * LOCATOR_SIZE).fill(50);
    const a = locateEye(flat);
    expect(a).toEqual(locateEye(flat));
    expect(a.score).toBe(0);
  });
});

describe('eye-relative features (v2)', () => {
  let black: Float64Array;
  let cloudy: Float64Array;

  beforeAll(async () => {
    [black, cloudy] = await Promise.all([offCentreEye(BLACK_PUPIL), offCentreEye(CLOUDY_PUPIL)].map(async (b) => extractLgbmFeatures(await b)));
  });

  it('are part of the named vector, after the v1 features', () => {
    expect(LGBM_FEATURE_SET.version).toBe('2');
    expect(names.indexOf('eye_limbus_step')).toBe(85);
    expect(names.filter((n) => /^eye_ring\d_l_mean$/.test(n))).toHaveLength(8);
    expect(names).toContain('eye_pupil_l_p50');
  });

  it('locate the off-centre eye: offset to the upper left, iris radius about a fifth of the side', () => {
    // Eye centre at (90, 140) of 320 px: -0.22 and -0.06 of the side from the middle; iris radius 33.6/320 = 0.105.
    expect(at(black, 'eye_offset_x')).toBeCloseTo(-0.22, 1);
    expect(at(black, 'eye_offset_y')).toBeCloseTo(-0.06, 1);
    expect(at(black, 'eye_radius')).toBeGreaterThan(0.07);
    expect(at(black, 'eye_radius')).toBeLessThan(0.14);
  });

  it('measure the pupil where the fixed centre disk cannot see it', () => {
    // The fixed centre disk sits on skin for both photos, so it cannot tell them apart...
    expect(Math.abs(at(black, 'centre_l_p05') - at(cloudy, 'centre_l_p05'))).toBeLessThan(3);
    // ...while the located pupil is black in one and light grey in the other.
    expect(at(black, 'eye_pupil_l_p05')).toBeLessThan(15);
    expect(at(cloudy, 'eye_pupil_l_p50')).toBeGreaterThan(60);
    expect(at(black, 'eye_pupil_dark_frac')).toBeGreaterThan(0.3);
    // (the 0.45-radius disk clips the dark iris stripes at the pupil's edge: a few percent)
    expect(at(cloudy, 'eye_pupil_dark_frac')).toBeLessThan(0.1);
    expect(at(cloudy, 'eye_contrast_pupil_l_p50_minus_iris_l_p50')).toBeGreaterThan(20);
    expect(at(black, 'eye_contrast_pupil_l_p50_minus_iris_l_p50')).toBeLessThan(-10);
  });
});

describe('locateEyeInImage (diagnostics)', () => {
  it('returns the circles the features were measured from, in working-image pixels', async () => {
    const photo = await offCentreEye(CLOUDY_PUPIL);
    const [found, features] = await Promise.all([locateEyeInImage(photo), extractLgbmFeatures(photo)]);
    expect(found.working).toHaveLength(WORKING_SIZE * WORKING_SIZE * 3);
    // Eye centre at (90, 140) of 320 px, i.e. (36, 56) of the 128 px working image; iris radius 13.4 px.
    expect(Math.abs(found.eye.x - 36)).toBeLessThanOrEqual(3);
    expect(Math.abs(found.eye.y - 56)).toBeLessThanOrEqual(3);
    expect(found.eye.r).toBeGreaterThan(9);
    expect(found.eye.r).toBeLessThan(18);
    // The same circles as the feature vector's own geometry features.
    expect(found.eye.r / WORKING_SIZE).toBe(at(features, 'eye_radius'));
    expect(found.eye.x / WORKING_SIZE - 0.5).toBeCloseTo(at(features, 'eye_offset_x') + 0.5 / 64, 12);
    expect(found.eye.score).toBe(at(features, 'eye_limbus_step'));
    expect(found.pupil.r / found.eye.r).toBe(at(features, 'lens_radius_ratio'));
    expect(found.pupil.contrast).toBe(at(features, 'lens_contrast'));
    // A cloudy lens is lighter than the iris around it.
    expect(found.pupil.contrast).toBeGreaterThan(10);
    expect(Math.hypot(found.pupil.x - found.eye.x, found.pupil.y - found.eye.y)).toBeLessThan(found.eye.r / 2);
  });
});
