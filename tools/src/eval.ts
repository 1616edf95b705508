/**
 * npm run eval -- DIR [--url BASE] [options]
 * npm run eval -- --predictions FILE [--predictions FILE ...] [--column p|raw|calibrated]
 *
 * A labelled folder (DIR/cataract/*, DIR/normal/*) through the served routes: accuracy, ROC-AUC,
 * expected calibration error, the confusion matrix, and the share of photos whose label changes when
 * the same photo arrives as PNG, as JPEG q90 or downscaled by half. Targets a running service with
 * --url, or starts one itself (private Redis, the repository's models) and stops it after. With
 * --predictions it reports the same figures for a training tool's per-photo predictions file (e.g.
 * the out-of-fold predictions), with no service.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCli, UsageError } from './common/args';
import { ROUTES, type RouteName } from './eval/client';
import { EvalInputError, EvalRequestError, LocalServiceError } from './eval/errors';
import { startLocalService, type LocalService } from './eval/local-service';
import { readPredictionRuns, type PredictionColumn } from './eval/predictions-input';
import { formatSection, summarize, type SectionInput } from './eval/report';
import { runServedRoutes } from './eval/served-run';
import { VARIANTS, type VariantName } from './eval/variants';

const USAGE = `usage: npm run eval -- DIR [options]          labelled photos DIR/cataract/*, DIR/normal/* through the served routes
       npm run eval -- --predictions FILE [...]  a training tool's per-photo predictions file (no service)

  --url <base>             a running service (e.g. http://127.0.0.1:8001); without it the tool starts
                           one itself (npm start's supervisor: private redis-server, 1 gateway worker,
                           1 actor per model needed, MODELS_DIR or --models) and stops it afterwards
  --routes <list>          comma-separated of lgbm, clip, ensemble (default: all three)
  --variants <list>        comma-separated of png, jpeg90, half, or none (default: all three)
  --strategy <name>        ensemble strategy: weighted or cascade (default: the service's, weighted)
  --api-key <key>          sent as X-API-Key (default: $EVAL_API_KEY)
  --concurrency <n>        photos in flight at once (default 4)
  --models <dir>           models directory of a self-started service (default: the repository's models/)
  --predictions <file>     report a predictions file instead (repeatable); --column p|raw|calibrated
                           picks its column (default: calibrated, else raw, else p)
  --json <file>            also write the figures and the per-section photo lists as JSON
  --help                   show this help`;

const SPEC = {
  url: { type: 'string' },
  routes: { type: 'string' },
  variants: { type: 'string' },
  strategy: { type: 'string' },
  'api-key': { type: 'string' },
  concurrency: { type: 'string' },
  models: { type: 'string' },
  predictions: { type: 'string', multiple: true },
  column: { type: 'string' },
  json: { type: 'string' },
  help: { type: 'boolean' },
} as const;

function list<T extends string>(flag: string, raw: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (raw === undefined) return [...fallback];
  if (raw === 'none') return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new UsageError(`--${flag}: unknown "${item}" (choose from ${allowed.join(', ')})\n\n${USAGE}`);
  return [...new Set(items)] as T[];
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: SPEC, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    console.log(USAGE);
    return;
  }
  const sections: SectionInput[] = [];
  const extra: Record<string, unknown> = {};
  if (v.predictions !== undefined) {
    if (positionals.length > 0 || v.url !== undefined) throw new UsageError(`--predictions reports files, not a folder or a service\n\n${USAGE}`);
    const column = v.column === undefined ? undefined : list('column', v.column, ['p', 'raw', 'calibrated'] as const, [])[0];
    for (const file of v.predictions) sections.push(await predictionsSection(file, column));
  } else {
    if (positionals.length !== 1) throw new UsageError(`expected one folder DIR (with cataract/ and normal/), got ${positionals.length}\n\n${USAGE}`);
    const routes = list<RouteName>('routes', v.routes, ROUTES, ROUTES);
    if (routes.length === 0) throw new UsageError(`--routes: name at least one route\n\n${USAGE}`);
    const others = VARIANTS.filter((x): x is Exclude<VariantName, 'original'> => x !== 'original');
    const variants = list('variants', v.variants, others, others);
    const concurrency = Number(v.concurrency ?? 4);
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new UsageError(`--concurrency must be a positive integer, got "${v.concurrency}"`);
    if (v.strategy !== undefined && !['weighted', 'cascade'].includes(v.strategy)) throw new UsageError(`--strategy must be weighted or cascade, got "${v.strategy}"`);

    let service: LocalService | undefined;
    let base = v.url;
    if (base === undefined) {
      console.error(`starting the service (${routes.map((r) => `/predict_${r}`).join(', ')}) ...`);
      service = await startLocalService({ routes, modelsDir: v.models });
      base = service.base;
      console.error(`service ready at ${base}`);
    }
    try {
      let step = 0;
      const run = await runServedRoutes({
        dir: positionals[0],
        client: { base, apiKey: v['api-key'] ?? process.env.EVAL_API_KEY, ...(v.strategy && { ensembleQuery: `strategy=${v.strategy}` }) },
        routes,
        variants,
        concurrency,
        progress: (done, total) => {
          const now = Math.floor((done * 10) / total);
          if (now > step || done === total) console.error(`${done}/${total} photos`);
          step = now;
        },
      });
      sections.push(...run.sections);
      extra.service = service ? 'started by the eval' : base;
      extra.skipped = run.skipped;
      if (run.skipped.length > 0) console.log(`left out (refused or unreadable): ${run.skipped.map((s) => `${s.file} (${s.reason})`).join('; ')}\n`);
    } finally {
      await service?.stop();
    }
  }
  const summaries = sections.map(summarize);
  console.log(summaries.map(formatSection).join('\n\n'));
  if (v.json !== undefined) {
    const detailed = summaries.map((s, k) => ({ ...s, photos_answers: photoAnswers(sections[k]) }));
    await writeFile(v.json, `${JSON.stringify({ ...extra, sections: detailed }, null, 2)}\n`);
  }
}

/** Per photo: its label and, per form, [answered label, P(cataract)] in each run. */
function photoAnswers(s: SectionInput) {
  const forms = [{ title: 'as sent', runs: s.runs }, ...s.variants];
  return s.files.map((file, i) => ({
    file,
    label: s.runs[0][i].actual === 1 ? 'cataract' : 'normal',
    answers: Object.fromEntries(forms.map((f) => [f.title, f.runs.map((run) => ({ label: run[i].predicted === 1 ? 'cataract' : 'normal', p: run[i].p }))])),
  }));
}

/** Relative to the working directory when inside it. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

async function predictionsSection(file: string, column: PredictionColumn | undefined): Promise<SectionInput> {
  const p = await readPredictionRuns(file, column);
  return {
    title: `${displayPath(file)} (${p.column}, threshold ${p.threshold})`,
    files: p.files,
    runs: p.runs,
    variants: p.reencodedRuns ? [{ title: '256 px JPEG', runs: p.reencodedRuns }] : [],
  };
}

// Problems of the input or the service are one line each; a stack trace only for the unexpected.
runCli(() =>
  main().catch((err: unknown) => {
    if (!(err instanceof EvalRequestError || err instanceof EvalInputError || err instanceof LocalServiceError)) throw err;
    console.error(`eval: ${(err as Error).message}`);
    process.exit(1);
  }),
);
