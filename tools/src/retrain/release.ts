/**
 * What both trainers do with a candidate: the options they share (the store, reviewed uploads,
 * the version to compare with, publishing), the staging folder every candidate is built in, and
 * the decision at the end. Without --publish the candidate stays in the staging folder
 * (`--candidates`, default models-candidates/<type>/<version>/, outside the store and git) for
 * `npm run models -- validate DIR` and a look at its card; with --publish it enters the store only
 * when not worse than the serving version (retrain/not-worse.ts), and a worse one stays staged
 * with exit code 3. The store is never written otherwise, and an existing version never.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ModelType } from '@cataract/contracts';
import { numberOption, UsageError } from '../common/args';
import { repoRoot } from '../common/dataset';
import { publishVersion, sealVersion } from '../store/publish-version';
import type { Comparison } from './comparison';
import { DEFAULT_TOLERANCE, type Tolerance } from './not-worse';

/** Exit code of a --publish run whose candidate was worse than the serving version. */
export const EXIT_WORSE = 3;

const rel = (p: string) => path.relative(process.cwd(), p) || '.';

export const RETRAIN_CLI = {
  models: { type: 'string', description: 'the versioned model store the candidate is compared with and published into (MODELS_DIR)', default: rel(process.env.MODELS_DIR ?? path.join(repoRoot, 'models')) },
  candidates: { type: 'string', description: 'staging folder: each candidate is written to DIR/<type>/<version>/ first', default: rel(path.join(repoRoot, 'models-candidates')) },
  reviewed: { type: 'string', description: 'a CUSTOMER_DATA_DIR: its reviewed uploads join the training photos (unreviewed ones never do)' },
  against: { type: 'string', description: 'compare with this version of the store instead of models/<type>/default' },
  publish: { type: 'boolean', description: 'publish the candidate into the store when it is not worse than the version compared with', default: false },
  'set-default': { type: 'boolean', description: 'with --publish: also name the new version in models/<type>/default', default: false },
  'tolerance-accuracy': { type: 'string', description: 'mean held-out accuracy the candidate may lose and still be not worse', default: String(DEFAULT_TOLERANCE.accuracy) },
  'tolerance-auc': { type: 'string', description: 'mean held-out ROC-AUC the candidate may lose and still be not worse', default: String(DEFAULT_TOLERANCE.auc) },
} as const;

export interface RetrainOptions {
  modelsDir: string;
  candidatesDir: string;
  reviewedDir?: string;
  against?: string;
  publish: boolean;
  setDefault: boolean;
  tolerance: Tolerance;
}

export function retrainOptions(o: {
  models: string;
  candidates: string;
  reviewed?: string;
  against?: string;
  publish: boolean;
  'set-default': boolean;
  'tolerance-accuracy': string;
  'tolerance-auc': string;
}): RetrainOptions {
  const modelsDir = path.resolve(o.models);
  const candidatesDir = path.resolve(o.candidates);
  const inside = (a: string, b: string) => a === b || a.startsWith(b + path.sep);
  if (inside(candidatesDir, modelsDir) || inside(modelsDir, candidatesDir)) throw new UsageError(`--candidates (${candidatesDir}) must lie outside the store --models (${modelsDir}): the store only receives published versions`);
  if (o['set-default'] && !o.publish) throw new UsageError('--set-default needs --publish');
  return {
    modelsDir,
    candidatesDir,
    reviewedDir: o.reviewed === undefined ? undefined : path.resolve(o.reviewed),
    against: o.against,
    publish: o.publish,
    setDefault: o['set-default'],
    tolerance: { accuracy: numberOption('tolerance-accuracy', o['tolerance-accuracy'], DEFAULT_TOLERANCE.accuracy), auc: numberOption('tolerance-auc', o['tolerance-auc'], DEFAULT_TOLERANCE.auc) },
  };
}

/** An empty staging folder for the candidate (a re-run of the same candidate replaces its staged copy). */
export async function stagingDir(opts: RetrainOptions, type: ModelType, version: string): Promise<string> {
  const dir = path.join(opts.candidatesDir, type, version);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Seals the staged candidate (manifest `files` with every file's sha256) and publishes it when
 * asked and allowed. Returns the process exit code.
 */
export async function release(opts: RetrainOptions, staged: string, manifest: Record<string, unknown> & { file: string; name: string; version: string }, comparison: Comparison | undefined, log: (m: string) => void): Promise<number> {
  await sealVersion(staged, manifest);
  const { name: type, version } = manifest;
  if (!opts.publish) {
    log(`candidate ${version} staged in ${rel(staged)} (not published): npm run models -- validate ${rel(staged)}; re-run with --publish to publish`);
    return 0;
  }
  if (comparison && !comparison.not_worse) {
    log(`not published: ${version} is worse than ${comparison.against.version} (${comparison.checks.join('; ')}); the candidate stays in ${rel(staged)}`);
    return EXIT_WORSE;
  }
  const p = await publishVersion(opts.modelsDir, staged, { setDefault: opts.setDefault });
  log(`published ${type} ${version} into ${rel(p.dir)}${p.setDefault ? ` and named it in ${rel(path.join(opts.modelsDir, type, 'default'))}` : ''}`);
  if (!p.setDefault) log(`next: npm run models -- shadow ${type} ${version}, then npm run models -- promote ${type} ${version}`);
  return 0;
}
