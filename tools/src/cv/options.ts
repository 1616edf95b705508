/** The cross-validation options every trainer and the ensemble tool accept, with the shared defaults. */
import { intOption } from '../common/args';
import { DEFAULT_CV, type CvOptions } from './photo-folds';

export const CV_CLI = {
  folds: { type: 'string', description: 'cross-validation folds (stratified, grouped by near-duplicates)', default: String(DEFAULT_CV.k) },
  repeats: { type: 'string', description: 'cross-validation repeats (each reshuffles the folds)', default: String(DEFAULT_CV.repeats) },
  'cv-seed': { type: 'string', description: 'seed of the folds', default: String(DEFAULT_CV.seed) },
  'max-hamming': { type: 'string', description: 'dHash bits two photos may differ in and still be near-duplicates', default: String(DEFAULT_CV.maxHamming) },
} as const;

export function cvOptions(o: { folds?: string; repeats?: string; 'cv-seed'?: string; 'max-hamming'?: string }): CvOptions {
  return {
    k: intOption('folds', o.folds, DEFAULT_CV.k),
    repeats: intOption('repeats', o.repeats, DEFAULT_CV.repeats),
    seed: intOption('cv-seed', o['cv-seed'], DEFAULT_CV.seed),
    maxHamming: intOption('max-hamming', o['max-hamming'], DEFAULT_CV.maxHamming),
  };
}
