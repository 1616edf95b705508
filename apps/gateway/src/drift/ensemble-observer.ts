import type { EnsembleObserver } from '../ensemble';
import type { DriftWindow } from './drift-window';

/**
 * What every route that asks the ensemble (POST /predict_ensemble, /predict_batch?model=ensemble)
 * gives its EnsemblePredictor: each answer on which both members answered counts toward the
 * lgbm-vs-clip disagreement rate. Nothing without a window (DRIFT_MONITORING=false).
 */
export function ensembleObserver(window: Pick<DriftWindow, 'recordEnsemble'> | undefined): EnsembleObserver {
  return window ? { onBothAnswered: (lgbm, clip) => window.recordEnsemble(lgbm.prediction !== clip.prediction) } : {};
}
