import { EnsembleConfigError } from './errors';

/** [lo, hi]: lgbm probabilities in this closed range are "unsure" and make the cascade ask clip. */
export type CascadeBand = readonly [number, number];

export const DEFAULT_CASCADE_BAND: CascadeBand = [0.2, 0.8];

/** Parses CASCADE_BAND, e.g. "0.2-0.8" (or "0.2,0.8"), with 0 <= lo <= hi <= 1. */
export function parseBand(text: string): CascadeBand {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*[-,]\s*([0-9]*\.?[0-9]+)\s*$/.exec(text);
  if (!m) throw new EnsembleConfigError('CASCADE_BAND', `"${text}" is not <lo>-<hi>, e.g. "0.2-0.8"`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (!(lo >= 0 && lo <= hi && hi <= 1)) throw new EnsembleConfigError('CASCADE_BAND', `need 0 <= lo <= hi <= 1, got ${lo}-${hi}`);
  return [lo, hi];
}

/** Whether the cascade must ask clip about an image lgbm gave P(cataract) = p. */
export function inBand(p: number, band: CascadeBand): boolean {
  return p >= band[0] && p <= band[1];
}
