/**
 * Prediction API: a Predictor fixes the iteration range and output kind once, then predicts one
 * row or a flat batch of rows into caller-provided buffers without allocating per row.
 *
 * Semantics follow LightGBM's GBDT::PredictRaw / GBDT::Predict (src/boosting/gbdt_prediction.cpp):
 * trees are summed iteration by iteration per output; `average_output` (random forest) divides
 * by the number of iterations used, then applies the objective's transform unless the file came
 * from a LightGBM that did not (see average-output.ts). Like LightGBM, raw scores of an
 * average_output model are the undivided sums.
 */
import { averagedOutputIsTransformed } from './average-output';
import { PredictArgumentError } from './errors';
import { Forest } from './model-layout';
import { applyTransform, Objective } from './objective';
import { treeOutput } from './tree-walk';

export interface PredictOptions {
  /** Return the summed raw scores instead of the objective's transformed output. Default false. */
  readonly rawScore?: boolean;
  /** Use at most this many iterations; <= 0 or absent means all (LightGBM's num_iteration). */
  readonly numIteration?: number;
  /** First iteration to use (LightGBM's start_iteration); clamped to [0, iterations]. Default 0. */
  readonly startIteration?: number;
  /**
   * `average_output` (random forest) models only: apply the objective's transform to the average.
   * Default: true for `version=v3`/`v4` files, false for `v2` and unversioned files (LightGBM
   * before 2.2.3 returned the plain average); set true for a v2 file written by 2.2.3-2.3.x.
   */
  readonly averageOutputTransform?: boolean;
}

/** What a Predictor needs from a loaded model. */
export interface PredictorModel {
  readonly forest: Forest;
  readonly objective: Objective;
  readonly numFeatures: number;
  readonly numTreePerIteration: number;
  readonly numIterations: number;
  readonly averageOutput: boolean;
  /** `version=` of the file; decides how averaged output is transformed. */
  readonly version: string | undefined;
}

/** A flat row-major batch: numFeatures values per row. */
export type FeatureRows = Float64Array | Float32Array | ArrayLike<number>;

export class Predictor {
  /** Values each row must have (max_feature_idx + 1). */
  readonly numFeatures: number;
  /** Values produced per row (num_tree_per_iteration: classes for multiclass, else 1). */
  readonly numOutputs: number;
  readonly rawScore: boolean;
  /** First iteration used. */
  readonly startIteration: number;
  /** Number of iterations used (after clamping to the model's). */
  readonly iterationCount: number;

  private readonly forest: Forest;
  private readonly objective: Objective;
  /** Random forest: divide by iterationCount before the transform (not for raw scores). */
  private readonly average: boolean;
  /** Apply the objective's transform (always, except to an old random forest's average). */
  private readonly transform: boolean;

  constructor(model: PredictorModel, options: PredictOptions = {}) {
    const startOption = options.startIteration ?? 0;
    const numOption = options.numIteration ?? 0;
    if (!Number.isInteger(startOption)) throw new PredictArgumentError(`startIteration must be an integer, got ${startOption}`);
    if (!Number.isInteger(numOption)) throw new PredictArgumentError(`numIteration must be an integer, got ${numOption}`);
    // Same clamping as GBDT::InitPredict.
    const total = model.numIterations;
    const start = Math.min(Math.max(startOption, 0), total);
    const count = numOption > 0 ? Math.min(numOption, total - start) : total - start;

    this.forest = model.forest;
    this.objective = model.objective;
    this.numFeatures = model.numFeatures;
    this.numOutputs = model.numTreePerIteration;
    this.rawScore = options.rawScore ?? false;
    this.startIteration = start;
    this.iterationCount = count;
    this.average = model.averageOutput && !this.rawScore;
    this.transform =
      !this.average || (options.averageOutputTransform ?? averagedOutputIsTransformed(model.version));
  }

  /**
   * Predict one row (`numFeatures` values). Writes `numOutputs` values into `out` (allocated
   * when omitted) and returns it.
   */
  predict(row: FeatureRows, out?: Float64Array): Float64Array {
    if (row.length !== this.numFeatures) {
      throw new PredictArgumentError(`row has ${row.length} values, the model expects ${this.numFeatures}`);
    }
    const target = out ?? new Float64Array(this.numOutputs);
    if (target.length < this.numOutputs) {
      throw new PredictArgumentError(`out has room for ${target.length} values, need ${this.numOutputs}`);
    }
    this.predictRow(row, 0, target, 0);
    return target;
  }

  /**
   * Predict a flat row-major batch (`rows.length / numFeatures` rows). Writes
   * `numOutputs` values per row into `out` (allocated when omitted), row after row, and returns it.
   */
  predictMany(rows: FeatureRows, out?: Float64Array): Float64Array {
    const nf = this.numFeatures;
    const rowCount = nf === 0 ? 0 : rows.length / nf;
    if (!Number.isInteger(rowCount)) {
      throw new PredictArgumentError(`${rows.length} values is not a whole number of ${nf}-feature rows`);
    }
    const k = this.numOutputs;
    const target = out ?? new Float64Array(rowCount * k);
    if (target.length < rowCount * k) {
      throw new PredictArgumentError(`out has room for ${target.length} values, need ${rowCount * k}`);
    }
    for (let r = 0; r < rowCount; r++) this.predictRow(rows, r * nf, target, r * k);
    return target;
  }

  private predictRow(x: FeatureRows, base: number, out: Float64Array, offset: number): void {
    const forest = this.forest;
    const k = this.numOutputs;
    const first = this.startIteration;
    const end = first + this.iterationCount;
    for (let c = 0; c < k; c++) {
      // Each class summed in iteration order, as GBDT::PredictRaw adds them, so rounding matches.
      let sum = 0;
      for (let it = first; it < end; it++) sum += treeOutput(forest, it * k + c, x, base);
      out[offset + c] = sum;
    }
    if (this.rawScore) return;
    if (this.average) {
      for (let c = 0; c < k; c++) out[offset + c] = (out[offset + c] as number) / this.iterationCount;
    }
    if (this.transform) applyTransform(this.objective, out, offset, k);
  }
}
