/**
 * Runs the served routes over a labelled folder: every photo, in every requested form, to every
 * requested route, at most `concurrency` photos at a time. A photo the service refuses (a 4xx
 * answer, e.g. 415 for a file that is not an image) or that sharp cannot read is left out of every
 * route's figures and listed with the reason; any other failure stops the run.
 */
import { readFile } from 'node:fs/promises';
import { mapLimit } from '@cataract/concurrency';
import { listLabelledImages, photoName } from '../common/dataset';
import { predictPhoto, type ClientOptions, type RouteName } from './client';
import { EvalInputError, EvalRequestError } from './errors';
import type { Answer } from './metrics';
import type { SectionInput } from './report';
import { asSent, makeVariants, VARIANT_TITLES, type PhotoVariant, type VariantName } from './variants';

export interface ServedRunOptions {
  dir: string;
  client: ClientOptions;
  routes: readonly RouteName[];
  /** Forms besides the photo as sent. */
  variants: readonly Exclude<VariantName, 'original'>[];
  concurrency: number;
  progress?: (done: number, total: number) => void;
}

export interface ServedRun {
  sections: SectionInput[];
  skipped: Array<{ file: string; reason: string }>;
}

type PhotoAnswers = Record<RouteName, Partial<Record<VariantName, Answer>>>;

export async function runServedRoutes(o: ServedRunOptions): Promise<ServedRun> {
  let photos;
  try {
    photos = listLabelledImages(o.dir);
  } catch (err) {
    throw new EvalInputError(`${(err as Error).message} (expected DIR/cataract/* and DIR/normal/*)`);
  }
  if (photos.length === 0) throw new EvalInputError(`${o.dir}: no JPEG, PNG or WebP photos in cataract/ or normal/`);
  let done = 0;
  const results = await mapLimit(photos, o.concurrency, async (photo) => {
    const file = photoName(o.dir, photo.path);
    const actual: 0 | 1 = photo.label === 'cataract' ? 1 : 0;
    let outcome: { file: string; answers?: PhotoAnswers; skipped?: string };
    try {
      const bytes = await readFile(photo.path);
      const answers = Object.fromEntries(o.routes.map((r) => [r, {}])) as PhotoAnswers;
      const ask = async (v: PhotoVariant) => {
        for (const route of o.routes) {
          const a = await predictPhoto(o.client, route, v);
          answers[route][v.name] = { actual, predicted: a.label === 'cataract' ? 1 : 0, p: a.pCataract };
        }
      };
      // The photo as sent first: when the service refuses it, its reason is the one reported.
      await ask(await asSent(bytes));
      for (const v of await makeVariants(bytes, o.variants)) await ask(v);
      outcome = { file, answers };
    } catch (err) {
      if (!isPhotoProblem(err)) throw err;
      outcome = { file, skipped: (err as Error).message };
    }
    o.progress?.(++done, photos.length);
    return outcome;
  });
  const kept = results.filter((r) => r.answers !== undefined) as Array<{ file: string; answers: PhotoAnswers }>;
  const sections = o.routes.map((route) => ({
    title: `/predict_${route}`,
    files: kept.map((r) => r.file),
    runs: [kept.map((r) => r.answers[route].original!)],
    variants: o.variants.map((v) => ({ title: VARIANT_TITLES[v], runs: [kept.map((r) => r.answers[route][v]!)] })),
  }));
  return { sections, skipped: results.filter((r) => r.skipped !== undefined).map((r) => ({ file: r.file, reason: r.skipped! })) };
}

/** The photo's own fault (refused by the service, unreadable by sharp), not the service's. */
function isPhotoProblem(err: unknown): boolean {
  if (err instanceof EvalRequestError) return err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 403 && err.status !== 429;
  const message = (err as Error)?.message ?? '';
  return /unsupported image format|Input buffer|corrupt|premature end|VipsJpeg|pngload|webpload/i.test(message);
}
