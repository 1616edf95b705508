/** Training parameters (LightGBM names and defaults) and their validation. */
import { InvalidParameterError } from './errors';

export type ObjectiveName = 'binary' | 'regression';

export interface TrainParams {
  objective: ObjectiveName;
  num_iterations: number;
  learning_rate: number;
  num_leaves: number;
  /** <= 0 means no limit (LightGBM's -1). */
  max_depth: number;
  min_data_in_leaf: number;
  min_sum_hessian_in_leaf: number;
  lambda_l1: number;
  lambda_l2: number;
  min_gain_to_split: number;
  /** Fraction of features sampled for each tree. */
  feature_fraction: number;
  /** Fraction of rows sampled (without replacement) every `bagging_freq` iterations; 0 freq disables. */
  bagging_fraction: number;
  bagging_freq: number;
  max_bin: number;
  min_data_in_bin: number;
  /** Start from the label average (log-odds for binary), folded into the first tree like LightGBM. */
  boost_from_average: boolean;
  /** Stop when the validation loss has not improved for this many rounds (0 = off; needs a validation set). */
  early_stopping_rounds: number;
  seed: number;
}

export const DEFAULT_PARAMS: Readonly<TrainParams> = Object.freeze({
  objective: 'binary',
  num_iterations: 100,
  learning_rate: 0.1,
  num_leaves: 31,
  max_depth: -1,
  min_data_in_leaf: 20,
  min_sum_hessian_in_leaf: 1e-3,
  lambda_l1: 0,
  lambda_l2: 0,
  min_gain_to_split: 0,
  feature_fraction: 1,
  bagging_fraction: 1,
  bagging_freq: 0,
  max_bin: 255,
  min_data_in_bin: 3,
  boost_from_average: true,
  early_stopping_rounds: 0,
  seed: 0,
} satisfies TrainParams);

function check(name: string, ok: boolean, msg: string): void {
  if (!ok) throw new InvalidParameterError(name, msg);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Merges user params over the defaults and validates every value; unknown keys are rejected. */
export function resolveParams(user: Partial<TrainParams> = {}): TrainParams {
  for (const k of Object.keys(user)) {
    if (!(k in DEFAULT_PARAMS)) throw new InvalidParameterError(k, 'unknown parameter');
  }
  const p: TrainParams = { ...DEFAULT_PARAMS, ...user };
  check('objective', p.objective === 'binary' || p.objective === 'regression', `must be "binary" or "regression", got ${String(p.objective)}`);
  check('num_iterations', isInt(p.num_iterations) && p.num_iterations >= 1, 'must be an integer >= 1');
  check('learning_rate', isNum(p.learning_rate) && p.learning_rate > 0, 'must be > 0');
  check('num_leaves', isInt(p.num_leaves) && p.num_leaves >= 2 && p.num_leaves <= 131072, 'must be an integer in [2, 131072]');
  check('max_depth', isInt(p.max_depth), 'must be an integer (<= 0 for no limit)');
  check('min_data_in_leaf', isInt(p.min_data_in_leaf) && p.min_data_in_leaf >= 1, 'must be an integer >= 1');
  check('min_sum_hessian_in_leaf', isNum(p.min_sum_hessian_in_leaf) && p.min_sum_hessian_in_leaf >= 0, 'must be >= 0');
  check('lambda_l1', isNum(p.lambda_l1) && p.lambda_l1 >= 0, 'must be >= 0');
  check('lambda_l2', isNum(p.lambda_l2) && p.lambda_l2 >= 0, 'must be >= 0');
  check('min_gain_to_split', isNum(p.min_gain_to_split) && p.min_gain_to_split >= 0, 'must be >= 0');
  check('feature_fraction', isNum(p.feature_fraction) && p.feature_fraction > 0 && p.feature_fraction <= 1, 'must be in (0, 1]');
  check('bagging_fraction', isNum(p.bagging_fraction) && p.bagging_fraction > 0 && p.bagging_fraction <= 1, 'must be in (0, 1]');
  check('bagging_freq', isInt(p.bagging_freq) && p.bagging_freq >= 0, 'must be an integer >= 0');
  // 255 value bins + 1 NaN bin fit a Uint8 bin index.
  check('max_bin', isInt(p.max_bin) && p.max_bin >= 2 && p.max_bin <= 255, 'must be an integer in [2, 255]');
  check('min_data_in_bin', isInt(p.min_data_in_bin) && p.min_data_in_bin >= 1, 'must be an integer >= 1');
  check('boost_from_average', typeof p.boost_from_average === 'boolean', 'must be a boolean');
  check('early_stopping_rounds', isInt(p.early_stopping_rounds) && p.early_stopping_rounds >= 0, 'must be an integer >= 0');
  check('seed', isInt(p.seed), 'must be an integer');
  return p;
}
