/**
 * The `objective=` header line and the output transform it implies, following LightGBM's
 * ObjectiveFunction::CreateObjectiveFunction(string) and each objective's ConvertOutput.
 */
import { ModelFormatError, UnsupportedModelError } from './errors';
import { parseDoubleToken, parseIntToken } from './text-numbers';

/** What ConvertOutput does to the summed raw scores of one row. */
export type TransformKind =
  | 'identity'
  /** 1 / (1 + exp(-sigmoid * x)) on the single output (binary). */
  | 'sigmoid'
  /** softmax over the class outputs (multiclass). */
  | 'softmax'
  /** 1 / (1 + exp(-sigmoid * x)) on every class output (multiclassova). */
  | 'sigmoid-per-class'
  /** exp(x) (poisson, gamma, tweedie). */
  | 'exp'
  /** log1p(exp(x)) (cross_entropy_lambda). */
  | 'log1p-exp'
  /** sign(x) * x * x (regression-family objectives trained with reg_sqrt). */
  | 'signed-square';

export interface Objective {
  /** Objective name as written in the file (`binary`, `multiclass`...); `none` when the line is absent. */
  readonly name: string;
  /** The full `objective=` value, e.g. `binary sigmoid:1`. */
  readonly text: string;
  readonly transform: TransformKind;
  /** Sigmoid factor for `sigmoid` / `sigmoid-per-class`; 1 otherwise. */
  readonly sigmoid: number;
  /** `num_class:` for multiclass objectives, 1 for single-output ones, undefined when unconstrained. */
  readonly numOutputs: number | undefined;
}

/** Objectives whose ConvertOutput honours the `sqrt` flag (RegressionL2loss and its subclasses that keep it). */
const SQRT_CAPABLE = new Set(['regression', 'regression_l1', 'quantile', 'fair', 'mape']);
/** Objectives with an identity ConvertOutput regardless of options. */
const IDENTITY = new Set(['huber', 'lambdarank', 'rank_xendcg', 'custom']);
const EXP = new Set(['poisson', 'gamma', 'tweedie']);

/** The objective of a model written without an `objective=` line (custom objective): raw output. */
export const NO_OBJECTIVE: Objective = {
  name: 'none',
  text: '',
  transform: 'identity',
  sigmoid: 1,
  numOutputs: undefined,
};

export function parseObjective(text: string, line: number): Objective {
  const tokens = text.trim().split(/ +/).filter((t) => t !== '');
  if (tokens.length === 0) throw new ModelFormatError('empty objective= line', line);
  const name = tokens[0] as string;
  const options = new Map<string, string>();
  const flags = new Set<string>();
  for (const token of tokens.slice(1)) {
    const colon = token.indexOf(':');
    if (colon < 0) flags.add(token);
    else options.set(token.slice(0, colon), token.slice(colon + 1));
  }

  const numberOption = (key: string): number | undefined => {
    const raw = options.get(key);
    if (raw === undefined) return undefined;
    const value = parseDoubleToken(raw);
    if (value === undefined || Number.isNaN(value)) {
      throw new ModelFormatError(`objective option ${key}:${raw} is not a number`, line);
    }
    return value;
  };
  const sigmoidOption = (): number => {
    const sigmoid = numberOption('sigmoid');
    // LightGBM: "Sigmoid parameter should be greater than zero" (Log::Fatal on load).
    if (sigmoid === undefined || !(sigmoid > 0)) {
      throw new ModelFormatError(`objective "${text}" needs sigmoid:<positive number>`, line);
    }
    return sigmoid;
  };
  const numClassOption = (): number => {
    const raw = options.get('num_class');
    const value = raw === undefined ? undefined : parseIntToken(raw);
    if (value === undefined || value < 1) {
      throw new ModelFormatError(`objective "${text}" needs num_class:<positive integer>`, line);
    }
    return value;
  };
  const make = (transform: TransformKind, sigmoid: number, numOutputs: number | undefined): Objective => ({
    name,
    text,
    transform,
    sigmoid,
    numOutputs,
  });

  if (name === 'binary') return make('sigmoid', sigmoidOption(), 1);
  if (name === 'multiclass') return make('softmax', 1, numClassOption());
  if (name === 'multiclassova') {
    const numClass = numClassOption();
    return make('sigmoid-per-class', sigmoidOption(), numClass);
  }
  if (name === 'cross_entropy') return make('sigmoid', 1, 1);
  if (name === 'cross_entropy_lambda') return make('log1p-exp', 1, 1);
  if (EXP.has(name)) return make('exp', 1, 1);
  if (SQRT_CAPABLE.has(name)) return make(flags.has('sqrt') ? 'signed-square' : 'identity', 1, 1);
  // huber drops `sqrt` on load ("Cannot use sqrt transform"); ranking and custom are identity.
  if (IDENTITY.has(name)) return make('identity', 1, name === 'custom' ? undefined : 1);
  throw new UnsupportedModelError(`unknown objective "${name}" (LightGBM refuses it too)`, line);
}

/**
 * Apply the objective's output transform in place to `width` values of `out` starting at `offset`.
 * Mirrors LightGBM's ConvertOutput arithmetic (including softmax's max subtraction).
 */
export function applyTransform(objective: Objective, out: Float64Array, offset: number, width: number): void {
  switch (objective.transform) {
    case 'identity':
      return;
    case 'sigmoid':
      out[offset] = 1 / (1 + Math.exp(-objective.sigmoid * (out[offset] as number)));
      return;
    case 'sigmoid-per-class': {
      const s = objective.sigmoid;
      for (let k = 0; k < width; k++) out[offset + k] = 1 / (1 + Math.exp(-s * (out[offset + k] as number)));
      return;
    }
    case 'softmax': {
      let max = out[offset] as number;
      for (let k = 1; k < width; k++) max = Math.max(out[offset + k] as number, max);
      let sum = 0;
      for (let k = 0; k < width; k++) {
        const e = Math.exp((out[offset + k] as number) - max);
        out[offset + k] = e;
        sum += e;
      }
      for (let k = 0; k < width; k++) out[offset + k] = (out[offset + k] as number) / sum;
      return;
    }
    case 'exp':
      out[offset] = Math.exp(out[offset] as number);
      return;
    case 'log1p-exp':
      out[offset] = Math.log1p(Math.exp(out[offset] as number));
      return;
    case 'signed-square': {
      const x = out[offset] as number;
      out[offset] = Math.sign(x) * x * x;
      return;
    }
  }
}
