import { createRng } from '@cataract/gbdt-trainer';
import { WORKING_SIZE } from '@cataract/imaging';
import { sampleBilinear } from '../src/features/bilinear';
import { colourPlanes, WORKING_PLANES } from '../src/features/colour';
import { EyeCircle, LOCATOR_RADII, LOCATOR_SIZE, locateEye } from '../src/features/eye-locator';
import {
  EYE_DARK_LIGHTNESS,
  EYE_WHITE_LIGHTNESS,
  EYE_WHITE_MAX_CHROMA,
  IRIS_PERCENTILES,
  PUPIL_PERCENTILES,
  eyeStats,
} from '../src/features/eye-stats';
import { percentilesOf } from '../src/features/percentiles';

/**
 * The extractor's faster internals (histogram selection, row-span eye scan, pruned circle search,
 * polynomial cube roots) against the straightforward versions they replaced, written out here:
 * every value must be the same double. features-exact.test.ts pins whole vectors;
 * bench/feature-identity.js and bench/colour-identity.js check far more inputs.
 */

const PIXELS = WORKING_SIZE * WORKING_SIZE;

describe('percentiles (histogram, then quickselect within one bucket)', () => {
  /** numpy's default (linear) percentile of a full sort. */
  const reference = (values: Float32Array, quantiles: readonly number[]) => {
    const sorted = Float32Array.from(values).sort();
    return quantiles.map((q) => {
      const pos = q * (sorted.length - 1);
      const lo = Math.floor(pos);
      if (lo + 1 >= sorted.length || pos === lo) return sorted[lo];
      return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * (pos - lo);
    });
  };
  const QUANTILES = [0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.98, 1];
  const rand = createRng(7);
  const cases: [string, (n: number) => number][] = [
    ['uniform L*', () => rand() * 100],
    ['few distinct values', () => Math.round(rand() * 4) * 25],
    ['below 0.5 and negative', () => rand() - 0.75],
    ['above 128', () => 100 + rand() * 200],
    ['all equal', () => 42.5],
    ['clustered in one bucket', () => 60 + rand() * 0.01],
    ['mixed magnitudes', () => (rand() < 0.5 ? rand() * 1e-3 : rand() * 1e3) * (rand() < 0.1 ? -1 : 1)],
  ];
  it.each(cases)('%s: the same doubles as a sort', (_, draw) => {
    for (const n of [1, 2, 3, 10, 255, 256, 257, 1000, 5000, PIXELS]) {
      const values = Float32Array.from({ length: n }, draw);
      expect(percentilesOf(values, n, QUANTILES)).toEqual(reference(values, QUANTILES));
    }
  });
});

/** A noisy synthetic eye (pupil, iris, sclera) centred at (cx, cy) with the iris `radius`, in pixels. */
function eyeImage(cx: number, cy: number, radius: number, pupil: readonly number[], seed: number): Uint8Array {
  const img = new Uint8Array(PIXELS * 3);
  const rand = createRng(seed);
  for (let y = 0; y < WORKING_SIZE; y++) {
    for (let x = 0; x < WORKING_SIZE; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
      const c = d < 0.4 ? pupil : d < 1 ? [120, 80, 50] : [235, 228, 222];
      for (let k = 0; k < 3; k++) img[(y * WORKING_SIZE + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + Math.round((rand() - 0.5) * 40)));
    }
  }
  return img;
}

describe('eyeStats (row spans instead of a distance per pixel)', () => {
  /** The per-pixel scan as first written: every pixel's distance, ring, pupil and iris tests. */
  function reference(eye: EyeCircle) {
    const { lightness, chroma, saturation, labB } = WORKING_PLANES;
    const scale = WORKING_SIZE / LOCATOR_SIZE;
    const [cx, cy, radius] = [(eye.x + 0.5) * scale, (eye.y + 0.5) * scale, eye.r * scale];
    const ringL = new Float64Array(8), ringWhite = new Float64Array(8), ringSat = new Float64Array(8), ringN = new Float64Array(8);
    const pupilL: number[] = [], irisL: number[] = [];
    let pWhite = 0, pLabB = 0, pSat = 0, pDark = 0, iSat = 0, iChroma = 0;
    for (let y = 0; y < WORKING_SIZE; y++) {
      for (let x = 0; x < WORKING_SIZE; x++) {
        const i = y * WORKING_SIZE + x;
        const d = Math.sqrt((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) * (y + 0.5 - cy)) / radius;
        const l = lightness[i];
        const white = l > EYE_WHITE_LIGHTNESS && chroma[i] < EYE_WHITE_MAX_CHROMA ? 1 : 0;
        if (d / 0.2 < 8) {
          const k = (d / 0.2) | 0;
          ringL[k] += l;
          ringWhite[k] += white;
          ringSat[k] += saturation[i];
          ringN[k] += 1;
        }
        if (d < 0.45) {
          pupilL.push(l);
          pWhite += white;
          pLabB += labB[i];
          pSat += saturation[i];
          if (l < EYE_DARK_LIGHTNESS) pDark += 1;
        } else if (d >= 0.55 && d < 0.95) {
          irisL.push(l);
          iSat += saturation[i];
          iChroma += chroma[i];
        }
      }
    }
    const div = (a: number, n: number) => (n > 0 ? a / n : 0);
    const pcts = (v: number[], qs: readonly number[]) => (v.length > 0 ? percentilesOf(Float32Array.from(v), v.length, qs) : qs.map(() => 0));
    return {
      ringL: ringL.map((s, k) => div(s, ringN[k])),
      ringWhite: ringWhite.map((s, k) => div(s, ringN[k])),
      ringSat: ringSat.map((s, k) => div(s, ringN[k])),
      pupilL: pcts(pupilL, PUPIL_PERCENTILES),
      irisL: pcts(irisL, IRIS_PERCENTILES),
      pupilWhite: div(pWhite, pupilL.length),
      pupilLabB: div(pLabB, pupilL.length),
      pupilSat: div(pSat, pupilL.length),
      pupilDark: div(pDark, pupilL.length),
      irisSat: div(iSat, irisL.length),
      irisChroma: div(iChroma, irisL.length),
    };
  }

  it.each([
    ['a dark pupil', eyeImage(64, 64, 40, [15, 12, 10], 1)],
    ['a cloudy pupil off the centre', eyeImage(84, 49, 25, [185, 190, 195], 2)],
  ])('%s: every statistic the same double, for centres all over the grid and every radius', (_, image) => {
    colourPlanes(image);
    for (let y = 12; y <= 52; y += 10) {
      for (let x = 12; x <= 52; x += 8) {
        for (const r of LOCATOR_RADII) {
          const eye = { x, y, r, score: 0 };
          expect(eyeStats(eye)).toEqual(reference(eye));
        }
      }
    }
  });
});

describe('locateEye (pruned by cell bounds)', () => {
  /** The search as first written: every candidate scored, coarse then fine, ties keep the first. */
  function reference(plane: Float32Array): EyeCircle {
    const arcs: number[] = [];
    for (let k = 0; k < 32; k++) if (Math.abs(Math.sin((2 * Math.PI * k) / 32)) < 0.75) arcs.push((2 * Math.PI * k) / 32);
    const cos = arcs.map(Math.cos);
    const sin = arcs.map(Math.sin);
    const at = (x: number, y: number) => sampleBilinear(plane, LOCATOR_SIZE, x, y);
    const score = (x: number, y: number, r: number) => {
      const [outside, inside] = [1.2 * r, 0.85 * r];
      let s = 0;
      for (let k = 0; k < arcs.length; k++) s += at(x + outside * cos[k], y + outside * sin[k]) - at(x + inside * cos[k], y + inside * sin[k]);
      return s / arcs.length;
    };
    const search = (x0: number, x1: number, y0: number, y1: number, step: number, r0: number, r1: number, best: EyeCircle) => {
      for (let y = y0; y <= y1; y += step) {
        for (let x = x0; x <= x1; x += step) {
          for (let ri = r0; ri <= r1; ri++) {
            const s = score(x, y, LOCATOR_RADII[ri]);
            if (s > best.score) best = { x, y, r: LOCATOR_RADII[ri], score: s };
          }
        }
      }
      return best;
    };
    const last = LOCATOR_RADII.length - 1;
    const coarse = search(12, 52, 12, 52, 4, 0, last, { x: 32, y: 32, r: LOCATOR_RADII[5], score: -Infinity });
    const k = LOCATOR_RADII.indexOf(coarse.r as (typeof LOCATOR_RADII)[number]);
    const [x0, x1, y0, y1] = [Math.max(12, coarse.x - 2), Math.min(52, coarse.x + 2), Math.max(12, coarse.y - 2), Math.min(52, coarse.y + 2)];
    return search(x0, x1, y0, y1, 1, Math.max(0, k - 1), Math.min(last, k + 1), coarse);
  }

  const rand = createRng(11);
  const size = LOCATOR_SIZE;
  const planes: [string, Float32Array][] = [
    ['flat (every score 0: ties everywhere)', new Float32Array(size * size).fill(50)],
    ['steps of equal height (many tied scores)', Float32Array.from({ length: size * size }, (_, i) => ((i % size) >> 3) * 10)],
    ['white noise', Float32Array.from({ length: size * size }, () => rand() * 100)],
    ['coarse noise in 0/100', Float32Array.from({ length: size * size }, () => (rand() < 0.5 ? 0 : 100))],
  ];
  for (let k = 0; k < 40; k++) {
    const [cx, cy, r, dark] = [8 + rand() * 48, 8 + rand() * 48, 4 + rand() * 24, 10 + rand() * 50];
    planes.push([
      `a disk at (${cx.toFixed(1)}, ${cy.toFixed(1)}), radius ${r.toFixed(1)}`,
      Float32Array.from({ length: size * size }, (_, i) => {
        const d = Math.hypot((i % size) + 0.5 - cx, Math.floor(i / size) + 0.5 - cy);
        return (d < r ? dark : 85) + rand() * 4 + 10 * Math.max(0, 1 - Math.abs(d - r));
      }),
    ]);
  }
  it.each(planes)('%s: the same circle and score', (_, plane) => {
    expect(locateEye(plane)).toEqual(reference(plane));
  });
});

describe('colour planes (polynomial cube roots)', () => {
  it('greys and near-greys (a* and b* near 0, recomputed with Math.cbrt) equal the per-pixel formulas', () => {
    const linear = Float64Array.from({ length: 256 }, (_, v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    const f = (t: number) => (t > Math.pow(6 / 29, 3) ? Math.cbrt(t) : t / (3 * Math.pow(6 / 29, 2)) + 4 / 29);
    const rgb = new Uint8Array(PIXELS * 3);
    let mismatches = 0;
    for (let pass = 0; pass < 3; pass++) {
      // Every grey v with each channel moved by -2..+2 (125 colours per grey, 32,000 in all).
      for (let i = 0; i < PIXELS; i++) {
        const n = pass * PIXELS + i;
        const v = Math.floor(n / 125) % 256;
        const moves = [Math.floor(n / 25) % 5, Math.floor(n / 5) % 5, n % 5].map((m) => m - 2);
        for (let k = 0; k < 3; k++) rgb[3 * i + k] = Math.max(0, Math.min(255, v + moves[k]));
      }
      const { lightness, labA, labB, chroma } = colourPlanes(rgb);
      for (let i = 0; i < PIXELS; i++) {
        const [r, g, b] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]].map((c) => linear[c]);
        const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
        const fy = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
        const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883);
        const a = 500 * (fx - fy);
        const bb = 200 * (fy - fz);
        if (!Object.is(lightness[i], Math.fround(116 * fy - 16))) mismatches++;
        if (!Object.is(labA[i], Math.fround(a))) mismatches++;
        if (!Object.is(labB[i], Math.fround(bb))) mismatches++;
        if (!Object.is(chroma[i], Math.fround(Math.sqrt(a * a + bb * bb)))) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});
