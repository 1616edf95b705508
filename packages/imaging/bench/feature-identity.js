// @ts-check
/**
 * Bit-identity check of this build's lgbm features against another build (e.g. the commit before a
 * speed-up): every output value must be the same double (Object.is), so trained models see no change.
 * Compares featuresFromWorkingImage of both builds on
 *  - every training photo in ../shared/data/cataract/train (when present), decoded to the working
 *    image by the package's own decodeWorkingImage (what extractLgbmFeatures uses), and the same
 *    photos re-encoded small (downscaleReencode to 96 and 48 px, as feature-check.js does);
 *  - synthetic working images: uniform noise, flat colours, noisy synthetic eyes at many positions,
 *    radii and pupil colours (including eyes at the border and tiny or huge ones), gradients;
 *  - all 2^24 RGB colours (1024 images of 16384 distinct colours). Their colour planes themselves
 *    (L*, a*, b*, chroma, saturation) are compared by colour-identity.js --baseline.
 * Run: `npx tsc -b packages/imaging && node packages/imaging/bench/feature-identity.js --baseline DIST`
 * (DIST: the other build's packages/imaging/dist). Exits 1 when any value differs.
 */
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { createRng } = require('@cataract/gbdt-trainer'); // the repo's one seeded PRNG (mulberry32)
const imaging = require('../dist');

const ROOT = join(__dirname, '../../../../shared/data/cataract/train');
const SIZE = imaging.WORKING_SIZE;
const PIXELS = SIZE * SIZE;

const at = process.argv.indexOf('--baseline');
if (at < 0) throw new Error('usage: feature-identity.js --baseline DIST');
const baselineDist = resolve(process.argv[at + 1]);
const baseline = require(baselineDist);

const totals = { vectors: 0, values: 0, differing: 0 };
/** @type {Record<string, number>} */ const perSource = {};

function compare(/** @type {string} */ source, /** @type {Uint8Array} */ rgb) {
  const a = baseline.featuresFromWorkingImage(rgb);
  const b = imaging.featuresFromWorkingImage(rgb);
  let differing = a.length === b.length ? 0 : 1;
  for (let k = 0; k < Math.min(a.length, b.length); k++) if (!Object.is(a[k], b[k])) differing++;
  totals.vectors++;
  totals.values += a.length;
  totals.differing += differing;
  perSource[source] = (perSource[source] ?? 0) + 1;
  if (differing > 0 && totals.differing === differing) console.log(`first difference: ${source} (${differing} values)`);
}

/** A noisy eye: pupil, iris, sclera around (cx, cy) in working pixels, iris radius `radius`. */
/**
 * @param {number} cx @param {number} cy @param {number} radius @param {number[]} pupil
 * @param {number} noise @param {() => number} rand
 */
function eye(cx, cy, radius, pupil, noise, rand) {
  const img = new Uint8Array(PIXELS * 3);
  const iris = [60 + 100 * rand(), 40 + 60 * rand(), 20 + 50 * rand()];
  const sclera = [200 + 55 * rand(), 190 + 55 * rand(), 180 + 55 * rand()];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) / radius;
      const c = d < 0.4 ? pupil : d < 1 ? iris : sclera;
      for (let k = 0; k < 3; k++) {
        img[(y * SIZE + x) * 3 + k] = Math.max(0, Math.min(255, Math.round(c[k] + (rand() - 0.5) * noise)));
      }
    }
  }
  return img;
}

function synthetic() {
  const rand = createRng(20240611);
  /** @type {[string, Uint8Array][]} */ const out = [];
  for (let k = 0; k < 300; k++) out.push(['noise', Uint8Array.from({ length: PIXELS * 3 }, () => Math.floor(rand() * 256))]);
  for (let v = 0; v < 256; v += 5) out.push(['flat grey', new Uint8Array(PIXELS * 3).fill(v)]);
  for (let k = 0; k < 200; k++) {
    const c = [0, 1, 2].map(() => Math.floor(rand() * 256));
    out.push(['flat colour', Uint8Array.from({ length: PIXELS * 3 }, (_, i) => c[i % 3])]);
  }
  for (let k = 0; k < 2500; k++) {
    const radius = 4 + rand() * 70;
    const cx = -10 + rand() * (SIZE + 20);
    const cy = -10 + rand() * (SIZE + 20);
    const dark = rand() < 0.5;
    const pupil = dark ? [5 + 30 * rand(), 5 + 30 * rand(), 5 + 30 * rand()] : [120 + 130 * rand(), 120 + 130 * rand(), 120 + 130 * rand()];
    out.push(['synthetic eye', eye(cx, cy, radius, pupil, 4 + rand() * 40, rand)]);
  }
  for (let k = 0; k < 200; k++) {
    const [a, b] = [rand(), rand()].map((v) => v * 4 - 2);
    const img = new Uint8Array(PIXELS * 3);
    for (let i = 0; i < PIXELS; i++) {
      const x = i % SIZE;
      const y = (i / SIZE) | 0;
      const level = 128 + a * (x - 64) + b * (y - 64) + (rand() - 0.5) * 6;
      for (let c = 0; c < 3; c++) img[3 * i + c] = Math.max(0, Math.min(255, Math.round(level + c * 20)));
    }
    out.push(['gradient', img]);
  }
  return out;
}

/** All 2^24 colours, 16384 per image (the planes' own check is colour-identity.js). */
function allColours() {
  const rgb = new Uint8Array(PIXELS * 3);
  for (let first = 0; first < 1 << 24; first += PIXELS) {
    // Pixel i holds colour first + i (red varies fastest; blue is fixed within an image).
    for (let i = 0; i < PIXELS; i++) {
      const c = first + i;
      rgb[3 * i] = c & 255;
      rgb[3 * i + 1] = (c >> 8) & 255;
      rgb[3 * i + 2] = c >> 16;
    }
    compare('all colours', rgb);
  }
}

async function main() {
  if (existsSync(ROOT)) {
    for (const cls of ['cataract', 'normal']) {
      for (const f of readdirSync(join(ROOT, cls)).sort()) {
        const buf = readFileSync(join(ROOT, cls, f));
        compare('training photo', await imaging.decodeWorkingImage(buf));
        compare('training photo re-encoded 96 px', await imaging.decodeWorkingImage(await imaging.downscaleReencode(buf, 96, 80)));
        compare('training photo re-encoded 48 px', await imaging.decodeWorkingImage(await imaging.downscaleReencode(buf, 48, 70)));
      }
    }
  } else console.log(`(no training photos: ${ROOT} absent)`);
  for (const [source, rgb] of synthetic()) compare(source, rgb);
  allColours();
  console.log(JSON.stringify({ perSource, ...totals }));
  if (totals.differing > 0) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
