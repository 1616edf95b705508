/** Loss functions: gradients/hessians, init score (boost_from_average), loss metric, output transform, model-text name. */
import { InvalidDataError } from './errors';
import type { ObjectiveName } from './params';

export interface Objective {
  readonly name: ObjectiveName;
  /** The `objective=` line of the model text. */
  readonly modelString: string;
  /** Name of the loss reported in progress (LightGBM metric name). */
  readonly metricName: string;
  validateLabels(labels: ArrayLike<number>): void;
  gradients(scores: Float64Array, labels: Float64Array, grad: Float64Array, hess: Float64Array): void;
  initScore(labels: Float64Array): number;
  loss(scores: Float64Array, labels: Float64Array): number;
  transform(raw: number): number;
}

const kEpsilon = 1e-15;

/** Binary log-loss with sigmoid 1 (LightGBM `binary`): p = 1/(1+exp(-score)), grad = p - y, hess = p(1-p). */
export class BinaryLogloss implements Objective {
  readonly name = 'binary' as const;
  readonly modelString = 'binary sigmoid:1';
  readonly metricName = 'binary_logloss';

  validateLabels(labels: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) throw new InvalidDataError(`binary objective needs labels 0 or 1; label[${i}] = ${labels[i]}`);
    }
  }
  gradients(scores: Float64Array, labels: Float64Array, grad: Float64Array, hess: Float64Array): void {
    for (let i = 0; i < scores.length; i++) {
      const p = 1 / (1 + Math.exp(-scores[i]));
      grad[i] = p - labels[i];
      hess[i] = p * (1 - p);
    }
  }
  initScore(labels: Float64Array): number {
    let s = 0;
    for (let i = 0; i < labels.length; i++) s += labels[i];
    const pavg = Math.min(Math.max(s / labels.length, kEpsilon), 1 - kEpsilon);
    return Math.log(pavg / (1 - pavg));
  }
  loss(scores: Float64Array, labels: Float64Array): number {
    let s = 0;
    for (let i = 0; i < scores.length; i++) {
      const p = Math.min(Math.max(1 / (1 + Math.exp(-scores[i])), kEpsilon), 1 - kEpsilon);
      s -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
    }
    return s / scores.length;
  }
  transform(raw: number): number {
    return 1 / (1 + Math.exp(-raw));
  }
}

/** Squared error (LightGBM `regression`): grad = score - y, hess = 1; loss is the mean squared error. */
export class RegressionL2 implements Objective {
  readonly name = 'regression' as const;
  readonly modelString = 'regression';
  readonly metricName = 'l2';

  validateLabels(labels: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isFinite(labels[i])) throw new InvalidDataError(`labels must be finite; label[${i}] = ${labels[i]}`);
    }
  }
  gradients(scores: Float64Array, labels: Float64Array, grad: Float64Array, hess: Float64Array): void {
    for (let i = 0; i < scores.length; i++) {
      grad[i] = scores[i] - labels[i];
      hess[i] = 1;
    }
  }
  initScore(labels: Float64Array): number {
    let s = 0;
    for (let i = 0; i < labels.length; i++) s += labels[i];
    return s / labels.length;
  }
  loss(scores: Float64Array, labels: Float64Array): number {
    let s = 0;
    for (let i = 0; i < scores.length; i++) s += (scores[i] - labels[i]) ** 2;
    return s / scores.length;
  }
  transform(raw: number): number {
    return raw;
  }
}

export function createObjective(name: ObjectiveName): Objective {
  return name === 'binary' ? new BinaryLogloss() : new RegressionL2();
}
