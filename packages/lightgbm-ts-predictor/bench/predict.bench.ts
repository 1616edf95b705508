/**
 * Rows per second of the compiled predictor, single thread, on the shared LightGBM conformance
 * models (5-class multiclass, binary DART): batch 1 (predict one row at a time into a reused
 * buffer) and batch 1000 (predictMany over a flat Float64Array). Each measurement warms up first.
 *
 *   npm run bench -w packages/lightgbm-ts-predictor
 *
 * Options (env): BENCH_SECONDS (default 4) per measurement, BENCH_WARMUP_SECONDS (default 1),
 * LGBM_CONFORMANCE_DIR (default ../shared/conformance/lightgbm).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { LightGBMModel, parseFeatureText, Predictor } from 'lightgbm-ts-predictor';

interface CaseFile {
  model: string;
  features: string;
  featuresFormat: 'tsv' | 'libsvm';
  skipFirstColumn: boolean;
}

const CONFORMANCE_DIR = process.env.LGBM_CONFORMANCE_DIR ?? resolve(__dirname, '../../../../../shared/conformance/lightgbm');
const CASES = ['multiclass-5class', 'binary-dart-breast-cancer'];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const BATCH = 1000;

interface Throughput {
  /** Rows per wall-clock second. */
  wall: number;
  /** Rows per second of CPU time used by this process (less sensitive to a busy shared machine). */
  cpu: number;
}

interface Result extends Throughput {
  name: string;
  trees: number;
  mode: string;
}

/** Run `step` (which predicts `rowsPerStep` rows) repeatedly for `seconds`. */
function measure(step: () => void, rowsPerStep: number, seconds: number): Throughput {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let steps = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 64; i++) step();
    steps += 64;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  const rows = steps * rowsPerStep;
  return { wall: rows / (Number(now - start) / 1e9), cpu: rows / ((cpu.user + cpu.system) / 1e6) };
}

function benchCase(name: string): Result[] {
  const dir = join(CONFORMANCE_DIR, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseFile;
  const model = LightGBMModel.fromFile(join(dir, spec.model));
  const { rows, rowCount } = parseFeatureText(readFileSync(join(dir, spec.features), 'utf8'), {
    format: spec.featuresFormat,
    numFeatures: model.numFeatures,
    skipFirstColumn: spec.skipFirstColumn,
  });
  const nf = model.numFeatures;
  const predictor: Predictor = model.createPredictor();

  // Batch 1: cycle through the real rows, one predict() per row into a reused buffer.
  const rowViews = Array.from({ length: rowCount }, (_, r) => rows.subarray(r * nf, (r + 1) * nf));
  const one = new Float64Array(predictor.numOutputs);
  let next = 0;
  const single = (): void => {
    predictor.predict(rowViews[next] as Float64Array, one);
    next = next + 1 === rowCount ? 0 : next + 1;
  };
  // Batch 1000: the real rows repeated to fill 1000 rows.
  const batch = new Float64Array(BATCH * nf);
  for (let r = 0; r < BATCH; r++) batch.set(rowViews[r % rowCount] as Float64Array, r * nf);
  const batchOut = new Float64Array(BATCH * predictor.numOutputs);
  const many = (): void => {
    predictor.predictMany(batch, batchOut);
  };

  const results: Result[] = [];
  for (const [mode, step, rowsPerStep] of [
    ['batch 1 (predict)', single, 1],
    [`batch ${BATCH} (predictMany)`, many, BATCH],
  ] as const) {
    measure(step, rowsPerStep, WARMUP_SECONDS);
    results.push({ name, trees: model.numTrees, mode, ...measure(step, rowsPerStep, SECONDS) });
  }
  return results;
}

function main(): void {
  if (!existsSync(CONFORMANCE_DIR)) {
    console.log(`predict.bench: skipped, ${CONFORMANCE_DIR} is absent (the shared conformance models are not in the repo)`);
    return;
  }
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  console.log(
    `predict.bench: ${new Date().toISOString()} node ${process.version} ${cpus().length} x ${cpus()[0]?.model ?? '?'}; ` +
      `${SECONDS}s per measurement after ${WARMUP_SECONDS}s warm-up, single thread; load average before: ${load()}`,
  );
  const results = CASES.flatMap(benchCase);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log('| model | trees | mode | rows/s (wall) | rows/s (per CPU second) |');
  console.log('| --- | ---: | --- | ---: | ---: |');
  for (const r of results) console.log(`| ${r.name} | ${r.trees} | ${r.mode} | ${fmt(r.wall)} | ${fmt(r.cpu)} |`);
  console.log(`load average after: ${load()}`);
}

main();
