/**
 * A loaded LightGBM model: header metadata plus the flat forest, and the entry points that
 * create Predictors.
 */
import { readFileSync } from 'node:fs';
import { buildForest, Forest } from './model-layout';
import { parseModelText } from './model-text';
import { Objective } from './objective';
import { FeatureRows, PredictOptions, Predictor, PredictorModel } from './predictor';

export class LightGBMModel implements PredictorModel {
  /** `version=` of the file (`v2`, `v3`, `v4`), undefined for files without the line. */
  readonly version: string | undefined;
  /** Values per input row: max_feature_idx + 1. */
  readonly numFeatures: number;
  readonly numClass: number;
  /** Trees per iteration = values per output row. */
  readonly numTreePerIteration: number;
  readonly numTrees: number;
  readonly numIterations: number;
  readonly averageOutput: boolean;
  readonly objective: Objective;
  readonly featureNames: readonly string[];
  /** Flat node arrays used by the tree walk. */
  readonly forest: Forest;

  private defaultPredictor: Predictor | undefined;

  private constructor(text: string) {
    const parsed = parseModelText(text);
    const header = parsed.header;
    this.version = header.version;
    this.numFeatures = header.maxFeatureIdx + 1;
    this.numClass = header.numClass;
    this.numTreePerIteration = header.numTreePerIteration;
    this.numTrees = parsed.trees.length;
    this.numIterations = parsed.trees.length / header.numTreePerIteration;
    this.averageOutput = header.averageOutput;
    this.objective = header.objective;
    this.featureNames = header.featureNames;
    this.forest = buildForest(parsed.trees);
  }

  /** Parse model text. Throws ModelFormatError (with `.line`) on malformed or truncated input. */
  static fromString(text: string): LightGBMModel {
    return new LightGBMModel(text);
  }

  /** Read and parse a model file (UTF-8 text). */
  static fromFile(path: string): LightGBMModel {
    return new LightGBMModel(readFileSync(path, 'utf8'));
  }

  /** Values produced per row (alias of numTreePerIteration). */
  get numOutputs(): number {
    return this.numTreePerIteration;
  }

  /** A Predictor bound to these options; reuse it (and an `out` buffer) in hot loops. */
  createPredictor(options: PredictOptions = {}): Predictor {
    return new Predictor(this, options);
  }

  /** Convenience: predict one row with all iterations and the transformed output. */
  predict(row: FeatureRows, out?: Float64Array): Float64Array {
    return this.predictor().predict(row, out);
  }

  /** Convenience: predict a flat row-major batch with all iterations and the transformed output. */
  predictMany(rows: FeatureRows, out?: Float64Array): Float64Array {
    return this.predictor().predictMany(rows, out);
  }

  private predictor(): Predictor {
    this.defaultPredictor ??= new Predictor(this);
    return this.defaultPredictor;
  }
}

/** Parse model text (same as LightGBMModel.fromString). */
export function loadModel(text: string): LightGBMModel {
  return LightGBMModel.fromString(text);
}

/** Read and parse a model file (same as LightGBMModel.fromFile). */
export function loadModelFile(path: string): LightGBMModel {
  return LightGBMModel.fromFile(path);
}
