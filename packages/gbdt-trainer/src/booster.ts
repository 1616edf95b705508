/**
 * The boosting loop: gradients from the objective, one leaf-wise tree per iteration on an optional
 * bag of rows and a per-tree feature sample, shrinkage, boost-from-average folded into the first
 * tree (as LightGBM does), validation loss and early stopping. Everything random comes from seeded
 * mulberry32 streams, so a fixed seed gives a byte-identical model.
 */
import { binDataSet, validateDataSet, type DataSet } from './dataset';
import { InvalidDataError, InvalidParameterError } from './errors';
import { format17, format6 } from './format';
import { modelToString } from './model-writer';
import { createObjective, type Objective } from './objective';
import { resolveParams, type TrainParams } from './params';
import { createRng, sampleIndices } from './rng';
import { LeafWiseTreeLearner } from './tree-learner';
import { Tree } from './tree';

export interface ProgressEvent {
  /** 1-based iteration number */
  iteration: number;
  trainLoss: number;
  validLoss?: number;
  metric: string;
  numLeaves: number;
}

export interface TrainOptions {
  /** Validation set: its loss is reported and drives early stopping. */
  valid?: DataSet;
  /** Feature names written to the model (no whitespace); default Column_0.. like LightGBM. */
  featureNames?: readonly string[];
  onProgress?: (e: ProgressEvent) => void;
}

export interface TrainingHistory {
  trainLoss: number[];
  validLoss: number[];
}

export class Booster {
  constructor(
    readonly params: TrainParams,
    readonly objective: Objective,
    readonly trees: Tree[],
    readonly featureNames: readonly string[],
    readonly featureInfos: readonly string[],
    /** 1-based iteration kept (the best one under early stopping, else the last). */
    readonly bestIteration: number,
    readonly history: TrainingHistory,
    /** Raw scores of the training rows after the kept trees (computed on bins during training). */
    readonly trainScores: Float64Array,
  ) {}

  get numFeatures(): number {
    return this.featureNames.length;
  }

  /**
   * Raw score: sum of the first `numIterations` tree outputs (all when omitted or <= 0), in tree
   * order, as LightGBM sums them.
   */
  predictRaw(row: ArrayLike<number>, numIterations = 0): number {
    if (row.length !== this.numFeatures) throw new InvalidDataError(`row has ${row.length} features, model expects ${this.numFeatures}`);
    const n = numIterations > 0 ? Math.min(numIterations, this.trees.length) : this.trees.length;
    let s = 0;
    for (let k = 0; k < n; k++) s += this.trees[k].predict(row);
    return s;
  }

  /** Transformed output (probability for binary) of the first `numIterations` trees (all by default). */
  predict(row: ArrayLike<number>, numIterations = 0): number {
    return this.objective.transform(this.predictRaw(row, numIterations));
  }

  /** LightGBM v4 text model. */
  toModelString(): string {
    const p = this.params;
    const parameters: [string, string][] = [
      ['boosting', 'gbdt'],
      ['objective', p.objective],
      ['metric', this.objective.metricName],
      ['num_iterations', String(p.num_iterations)],
      ['learning_rate', format6(p.learning_rate)],
      ['num_leaves', String(p.num_leaves)],
      ['seed', String(p.seed)],
      ['max_depth', String(p.max_depth)],
      ['min_data_in_leaf', String(p.min_data_in_leaf)],
      ['min_sum_hessian_in_leaf', format6(p.min_sum_hessian_in_leaf)],
      ['bagging_fraction', format6(p.bagging_fraction)],
      ['bagging_freq', String(p.bagging_freq)],
      ['feature_fraction', format6(p.feature_fraction)],
      ['early_stopping_round', String(p.early_stopping_rounds)],
      ['lambda_l1', format6(p.lambda_l1)],
      ['lambda_l2', format6(p.lambda_l2)],
      ['min_gain_to_split', format6(p.min_gain_to_split)],
      ['max_bin', String(p.max_bin)],
      ['min_data_in_bin', String(p.min_data_in_bin)],
      ['boost_from_average', p.boost_from_average ? '1' : '0'],
    ];
    return modelToString({
      objective: this.objective.modelString,
      featureNames: this.featureNames,
      featureInfos: this.featureInfos,
      trees: this.trees,
      parameters,
    });
  }
}

function checkFeatureNames(names: readonly string[] | undefined, m: number): string[] {
  if (!names) return Array.from({ length: m }, (_, i) => `Column_${i}`);
  if (names.length !== m) throw new InvalidParameterError('featureNames', `${names.length} names for ${m} features`);
  const seen = new Set<string>();
  for (const n of names) {
    // The model text separates names by spaces and keys by '='.
    if (!n || /[\s=]/.test(n)) throw new InvalidParameterError('featureNames', `name "${n}" is empty or contains whitespace or '='`);
    if (seen.has(n)) throw new InvalidParameterError('featureNames', `duplicate name "${n}"`);
    seen.add(n);
  }
  return [...names];
}

/** Trains a GBDT model. Throws InvalidParameterError / InvalidDataError on bad input. */
export function train(userParams: Partial<TrainParams>, trainSet: DataSet, opts: TrainOptions = {}): Booster {
  const p = resolveParams(userParams);
  const objective = createObjective(p.objective);
  const m = validateDataSet(trainSet, 'train');
  objective.validateLabels(trainSet.labels);
  if (opts.valid) {
    validateDataSet(opts.valid, 'valid', m);
    objective.validateLabels(opts.valid.labels);
  }
  if (p.early_stopping_rounds > 0 && !opts.valid) throw new InvalidParameterError('early_stopping_rounds', 'needs a validation set');
  const featureNames = checkFeatureNames(opts.featureNames, m);

  const data = binDataSet(trainSet, p.max_bin, p.min_data_in_bin);
  const n = data.numRows;
  const labels = data.labels;
  const usable = Int32Array.from(data.mappers.map((mp, f) => (mp.isTrivial ? -1 : f)).filter((f) => f >= 0));
  const learner = new LeafWiseTreeLearner(data.bins, data.mappers, p);

  // Independent streams so changing one sampling option does not reshuffle the other.
  const bagRng = createRng((p.seed ^ 0x5bd1e995) >>> 0);
  const featRng = createRng((p.seed ^ 0x27d4eb2f) >>> 0);

  const validRows = opts.valid?.rows;
  const validLabels = opts.valid ? Float64Array.from(opts.valid.labels) : undefined;
  const initScore = p.boost_from_average ? objective.initScore(labels) : 0;
  const scores = new Float64Array(n).fill(initScore);
  const validScores = validRows ? new Float64Array(validRows.length).fill(initScore) : undefined;
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const allRows = Int32Array.from({ length: n }, (_, i) => i);
  let bag: Int32Array = allRows;
  const useBagging = p.bagging_freq > 0 && p.bagging_fraction < 1;
  const bagSize = Math.max(1, Math.round(n * p.bagging_fraction));
  const featCount = Math.max(1, Math.round(usable.length * p.feature_fraction));

  const trees: Tree[] = [];
  const history: TrainingHistory = { trainLoss: [], validLoss: [] };
  let bestIter = 0;
  let bestLoss = Infinity;
  let bestTrainScores: Float64Array | null = null;

  for (let iter = 0; iter < p.num_iterations; iter++) {
    objective.gradients(scores, labels, grad, hess);
    if (useBagging && iter % p.bagging_freq === 0) bag = sampleIndices(bagRng, n, bagSize);
    const features = featCount < usable.length ? Int32Array.from(sampleIndices(featRng, usable.length, featCount), (k) => usable[k]) : usable;

    const tree = usable.length ? learner.train(bag, grad, hess, features) : new Tree(0, 0, bag.length);
    if (tree.numLeaves > 1) {
      tree.applyShrinkage(p.learning_rate);
      if (iter === 0 && initScore !== 0) tree.addBias(initScore);
    } else if (iter === 0) {
      // Nothing to split on: LightGBM keeps one constant tree holding the init score.
      tree.leafValue[0] = initScore;
      tree.shrinkage = 1;
    } else {
      break; // no leaf can be split any more: further trees would all be empty
    }
    trees.push(tree);
    // Scores after the first tree are its (bias-folded) outputs, later trees add on: the same
    // sequence of additions the predictor performs, so trainScores match it bit for bit.
    for (let i = 0; i < n; i++) {
      const v = tree.leafValue[tree.leafIndexBinned(data.bins, data.nanBins, i)];
      scores[i] = iter === 0 ? v : scores[i] + v;
    }
    if (validScores && validRows) {
      for (let i = 0; i < validRows.length; i++) {
        const v = tree.predict(validRows[i]);
        validScores[i] = iter === 0 ? v : validScores[i] + v;
      }
    }
    const trainLoss = objective.loss(scores, labels);
    history.trainLoss.push(trainLoss);
    let validLoss: number | undefined;
    if (validScores && validLabels) {
      validLoss = objective.loss(validScores, validLabels);
      history.validLoss.push(validLoss);
    }
    opts.onProgress?.({ iteration: iter + 1, trainLoss, validLoss, metric: objective.metricName, numLeaves: tree.numLeaves });
    if (tree.numLeaves === 1) break;

    if (p.early_stopping_rounds > 0 && validLoss !== undefined) {
      if (validLoss < bestLoss) {
        bestLoss = validLoss;
        bestIter = iter + 1;
        bestTrainScores = Float64Array.from(scores);
      } else if (iter + 1 - bestIter >= p.early_stopping_rounds) {
        break;
      }
    }
  }

  let kept = trees.length;
  let finalScores: Float64Array = scores;
  if (p.early_stopping_rounds > 0 && bestTrainScores) {
    kept = bestIter;
    finalScores = bestTrainScores;
  }
  // feature_infos numbers: LightGBM streams them with precision digits10 + 2 = 17.
  const featureInfos = data.mappers.map((mp) => mp.infoString(format17));
  return new Booster(p, objective, trees.slice(0, kept), featureNames, featureInfos, kept, history, finalScores);
}
