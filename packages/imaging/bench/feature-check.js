// @ts-check
/**
 * Sanity check of the lgbm feature set on the training photos (needs ../shared; exits 0 with a
 * notice when absent). Not a model: a 5-fold L2 logistic regression on standardised features,
 * scored on the held-out photos as they are and re-encoded at a 96 px long side. The second score
 * shows whether a model can lean on source resolution (normal photos are much smaller here).
 * Also prints the features that move most when photos are shrunk, in units of the pooled
 * class standard deviation, next to their class separation (Cohen's d).
 * Run: `npx tsc -b packages/imaging && npm run check:features -w @cataract/imaging`
 */
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const imaging = require('../dist');

const ROOT = join(__dirname, '../../../../shared/data/cataract/train');
const SMALL_SIDE = 96;
const FOLDS = 5;

async function main() {
  if (!existsSync(ROOT)) {
    console.log(`skipped: ${ROOT} absent`);
    return;
  }
  /** @type {number[][]} */ const X = [];
  /** @type {number[][]} */ const Xs = [];
  /** @type {number[]} */ const Y = [];
  for (const [cls, y] of /** @type {const} */ ([['cataract', 1], ['normal', 0]])) {
    for (const f of readdirSync(join(ROOT, cls)).sort()) {
      const buf = readFileSync(join(ROOT, cls, f));
      X.push(Array.from(await imaging.extractLgbmFeatures(buf)));
      Xs.push(Array.from(await imaging.extractLgbmFeatures(await imaging.downscaleReencode(buf, SMALL_SIDE, 80))));
      Y.push(y);
    }
  }
  const n = X.length;
  const F = X[0].length;
  const order = [...Array(n).keys()].sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
  let correct = 0;
  let correctSmall = 0;
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = order.filter((_, i) => i % FOLDS === fold);
    const train = order.filter((_, i) => i % FOLDS !== fold);
    const predict = fitLogistic(train.map((i) => X[i]), train.map((i) => Y[i]));
    for (const i of test) {
      correct += Number(predict(X[i]) === Y[i]);
      correctSmall += Number(predict(Xs[i]) === Y[i]);
    }
  }
  console.log(
    JSON.stringify({
      featureSet: `${imaging.LGBM_FEATURE_SET.name} v${imaging.LGBM_FEATURE_SET.version}`,
      photos: n,
      features: F,
      cvAccuracy: +(correct / n).toFixed(3),
      [`cvAccuracyOn${SMALL_SIDE}pxReencoded`]: +(correctSmall / n).toFixed(3),
    }),
  );
  const rows = imaging.LGBM_FEATURE_SET.names.map((name, k) => {
    const col = (rows, pick) => rows.filter((_, i) => pick(i)).map((r) => r[k]);
    const cat = col(X, (i) => Y[i] === 1);
    const nor = col(X, (i) => Y[i] === 0);
    const pooled = Math.sqrt((variance(cat) + variance(nor)) / 2) || 1;
    const shift = mean(Xs.map((r, i) => r[k] - X[i][k]));
    return { name, classD: +((mean(cat) - mean(nor)) / pooled).toFixed(2), shrinkShiftD: +(shift / pooled).toFixed(2) };
  });
  rows.sort((a, b) => Math.abs(b.shrinkShiftD) - Math.abs(a.shrinkShiftD));
  console.log('largest shifts when shrunk to', SMALL_SIDE, 'px:', JSON.stringify(rows.slice(0, 5)));
  rows.sort((a, b) => Math.abs(b.classD) - Math.abs(a.classD));
  console.log('strongest single features:', JSON.stringify(rows.slice(0, 5)));
}

/** @param {number[]} v */
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
/** @param {number[]} v */
const variance = (v) => {
  const m = mean(v);
  return mean(v.map((x) => (x - m) ** 2));
};

/** Batch gradient descent L2 logistic regression on standardised inputs; returns a 0/1 predictor. */
function fitLogistic(/** @type {number[][]} */ rows, /** @type {number[]} */ labels) {
  const F = rows[0].length;
  const mu = Array.from({ length: F }, (_, k) => mean(rows.map((r) => r[k])));
  const sd = Array.from({ length: F }, (_, k) => Math.sqrt(variance(rows.map((r) => r[k]))) || 1);
  const z = (/** @type {number[]} */ r) => r.map((v, k) => (v - mu[k]) / sd[k]);
  const Z = rows.map(z);
  const w = new Float64Array(F);
  let bias = 0;
  for (let epoch = 0; epoch < 400; epoch++) {
    const grad = new Float64Array(F);
    let gb = 0;
    Z.forEach((x, j) => {
      let t = bias;
      for (let k = 0; k < F; k++) t += w[k] * x[k];
      const err = 1 / (1 + Math.exp(-t)) - labels[j];
      gb += err;
      for (let k = 0; k < F; k++) grad[k] += err * x[k];
    });
    for (let k = 0; k < F; k++) w[k] -= 0.1 * (grad[k] / Z.length + 0.01 * w[k]);
    bias -= (0.1 * gb) / Z.length;
  }
  return (/** @type {number[]} */ r) => {
    const x = z(r);
    let t = bias;
    for (let k = 0; k < F; k++) t += w[k] * x[k];
    return t > 0 ? 1 : 0;
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
