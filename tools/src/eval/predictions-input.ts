/**
 * Prediction files as the training tools write them, read for the eval report:
 *  - `{threshold?, predictions: [{file, label, p}]}` (npm run train:lgbm's --oof-out file and the
 *    models' validation-predictions.json; `p_reencoded_256`, when present, is the same photo
 *    downscaled to 256 px and re-encoded as JPEG);
 *  - out-of-fold files holding one value per cross-validation repeat: `{threshold?, predictions:
 *    [{file, label, raw: [..], calibrated?: [..], raw_reencoded_256?: [..], calibrated_reencoded_256?: [..]}]}`.
 * Each becomes one or more "runs" (one per repeat) of answers in file order, P >= threshold
 * (default 0.5) counting as cataract.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LABELS, type Label } from '../common/dataset';
import { EvalInputError } from './errors';
import type { Answer } from './metrics';

const prob = z.number().min(0).max(1);
const EntrySchema = z.looseObject({
  file: z.string(),
  label: z.enum(LABELS as [Label, ...Label[]]),
  p: prob.optional(),
  p_reencoded_256: prob.optional(),
  raw: z.array(prob).min(1).optional(),
  calibrated: z.array(prob).min(1).optional(),
  raw_reencoded_256: z.array(prob).min(1).optional(),
  calibrated_reencoded_256: z.array(prob).min(1).optional(),
});
const FileSchema = z.looseObject({ threshold: z.number().min(0).max(1).optional(), predictions: z.array(EntrySchema).min(1) });
type Entry = z.infer<typeof EntrySchema>;

/** Which of a file's columns to read. */
export type PredictionColumn = 'p' | 'raw' | 'calibrated';

export interface PredictionRuns {
  column: PredictionColumn;
  threshold: number;
  files: string[];
  /** runs[r][i]: photo i's answer in repeat r (one run for single-value files). */
  runs: Answer[][];
  /** The same photos downscaled to 256 px and re-encoded, when the file has them. */
  reencodedRuns?: Answer[][];
}

/** The column a file offers by default: calibrated (what is served) over raw; p for single-value files. */
function defaultColumn(e: Entry): PredictionColumn {
  if (e.calibrated) return 'calibrated';
  if (e.raw) return 'raw';
  return 'p';
}

export function parsePredictionRuns(doc: unknown, source: string, column?: PredictionColumn): PredictionRuns {
  const parsed = FileSchema.safeParse(doc);
  if (!parsed.success) {
    throw new EvalInputError(`${source}: not a predictions file (${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  const { predictions } = parsed.data;
  const threshold = parsed.data.threshold ?? 0.5;
  const col = column ?? defaultColumn(predictions[0]);
  const values = (e: Entry, reencoded: boolean): number[] | undefined => {
    if (col === 'p') {
      const v = reencoded ? e.p_reencoded_256 : e.p;
      return v === undefined ? undefined : [v];
    }
    return e[reencoded ? (`${col}_reencoded_256` as const) : col];
  };
  const table = (reencoded: boolean): Answer[][] | undefined => {
    const cols = predictions.map((e) => values(e, reencoded));
    if (cols.some((c) => c === undefined)) {
      if (reencoded) return undefined;
      throw new EvalInputError(`${source}: every prediction needs "${col}"`);
    }
    const repeats = (cols[0] as number[]).length;
    if (cols.some((c) => (c as number[]).length !== repeats)) throw new EvalInputError(`${source}: "${col}" has different lengths across photos`);
    return Array.from({ length: repeats }, (_, r) =>
      predictions.map((e, i) => {
        const p = (cols[i] as number[])[r];
        return { actual: e.label === 'cataract' ? 1 : 0, predicted: p >= threshold ? 1 : 0, p } as Answer;
      }),
    );
  };
  return { column: col, threshold, files: predictions.map((e) => e.file), runs: table(false)!, reencodedRuns: table(true) };
}

export async function readPredictionRuns(path: string, column?: PredictionColumn): Promise<PredictionRuns> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new EvalInputError(`${path}: ${(err as Error).message}`);
  }
  return parsePredictionRuns(doc, path, column);
}
