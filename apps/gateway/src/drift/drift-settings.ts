import { z } from 'zod';

/**
 * DRIFT_* variables: the rolling window and the thresholds of GET /drift_status (docs/drift.md).
 * Defaults: PSI 0.1 / 0.25 is the conventional reading of the index (moderate / large shift); the
 * disagreement defaults sit above the 14 % at which the served lgbm and clip disagree on the
 * training photos out of fold; positive-rate shift is against the training photos' cataract share.
 */
export interface DriftSettings {
  /** DRIFT_MONITORING: record answers (false: nothing is recorded; /drift_status says so). */
  enabled: boolean;
  /** DRIFT_WINDOW_ANSWERS: the last N answers of each model version (and N ensemble answers, N reviews). */
  windowAnswers: number;
  /** DRIFT_WINDOW_HOURS: ... of the last T hours; 0: no time bound. */
  windowHours: number;
  /** Below these counts a check says `insufficient` instead of judging noise. */
  minAnswers: number;
  minReviews: number;
  psi: Band;
  positiveRateShift: Band;
  disagreementRate: Band;
  /** Accuracy on reviewed labels: warn below `warn`, alert below `alert`. */
  accuracy: Band;
}

export interface Band {
  warn: number;
  alert: number;
}

const num = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().min(min).max(max).default(def));
const int = (def: number, min: number, max: number) => num(def, min, max).pipe(z.number().int());
const share = (def: number) => num(def, 0, 1);

const EnvSchema = z
  .object({
    DRIFT_MONITORING: z
      .preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).optional())
      .transform((v) => v === undefined || ['true', '1', 'yes', 'on'].includes(v)),
    DRIFT_WINDOW_ANSWERS: int(1000, 1, 100_000),
    DRIFT_WINDOW_HOURS: num(24, 0, 24 * 366),
    DRIFT_MIN_ANSWERS: int(50, 0, 100_000),
    DRIFT_MIN_REVIEWS: int(20, 0, 100_000),
    DRIFT_PSI_WARN: num(0.1),
    DRIFT_PSI_ALERT: num(0.25),
    DRIFT_POSITIVE_RATE_WARN: share(0.15),
    DRIFT_POSITIVE_RATE_ALERT: share(0.3),
    DRIFT_DISAGREEMENT_WARN: share(0.25),
    DRIFT_DISAGREEMENT_ALERT: share(0.4),
    DRIFT_ACCURACY_WARN: share(0.85),
    DRIFT_ACCURACY_ALERT: share(0.75),
  })
  .refine((e) => e.DRIFT_PSI_WARN <= e.DRIFT_PSI_ALERT, { message: 'DRIFT_PSI_WARN must not exceed DRIFT_PSI_ALERT', path: ['DRIFT_PSI_WARN'] })
  .refine((e) => e.DRIFT_POSITIVE_RATE_WARN <= e.DRIFT_POSITIVE_RATE_ALERT, { message: 'DRIFT_POSITIVE_RATE_WARN must not exceed DRIFT_POSITIVE_RATE_ALERT', path: ['DRIFT_POSITIVE_RATE_WARN'] })
  .refine((e) => e.DRIFT_DISAGREEMENT_WARN <= e.DRIFT_DISAGREEMENT_ALERT, { message: 'DRIFT_DISAGREEMENT_WARN must not exceed DRIFT_DISAGREEMENT_ALERT', path: ['DRIFT_DISAGREEMENT_WARN'] })
  .refine((e) => e.DRIFT_ACCURACY_WARN >= e.DRIFT_ACCURACY_ALERT, { message: 'DRIFT_ACCURACY_WARN must not be below DRIFT_ACCURACY_ALERT (accuracy warns first, alerts lower)', path: ['DRIFT_ACCURACY_WARN'] });

/** The drift settings of `env`; throws naming the bad variables. */
export function loadDriftSettings(env: NodeJS.ProcessEnv): DriftSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid drift configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    enabled: e.DRIFT_MONITORING,
    windowAnswers: e.DRIFT_WINDOW_ANSWERS,
    windowHours: e.DRIFT_WINDOW_HOURS,
    minAnswers: e.DRIFT_MIN_ANSWERS,
    minReviews: e.DRIFT_MIN_REVIEWS,
    psi: { warn: e.DRIFT_PSI_WARN, alert: e.DRIFT_PSI_ALERT },
    positiveRateShift: { warn: e.DRIFT_POSITIVE_RATE_WARN, alert: e.DRIFT_POSITIVE_RATE_ALERT },
    disagreementRate: { warn: e.DRIFT_DISAGREEMENT_WARN, alert: e.DRIFT_DISAGREEMENT_ALERT },
    accuracy: { warn: e.DRIFT_ACCURACY_WARN, alert: e.DRIFT_ACCURACY_ALERT },
  };
}
