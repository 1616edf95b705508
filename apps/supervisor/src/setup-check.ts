import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import type { ModelType } from '@cataract/contracts';
import type { ModelPresence } from './models';

export interface SetupReport {
  /** Sentences for the log and the gateway's /health (SETUP_PROBLEMS): what an operator must fix. */
  problems: string[];
  /** Environment overrides for the children, so that a problem degrades the service instead of crashing it. */
  env: Record<string, string>;
}

const TRUE = /^(true|1|yes|on)$/i;

/** The folder exists (created if need be) and this process may create files in it. */
export function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.W_OK | fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The set-up mistakes that otherwise leave a deployment silently degraded: a wanted model type
 * missing from MODELS_DIR (typically a mounted, empty models folder hiding the image's own),
 * LOG_DIR or (with SAVE_UPLOADS) CUSTOMER_DATA_DIR not writable by the service's user. With
 * DEFAULT_MODELS_DIR (the image's copy of its models) a missing model's sentence says how to copy them.
 */
export function checkSetup(
  models: ModelPresence[],
  wanted: Record<ModelType, number>,
  env: NodeJS.ProcessEnv,
  isWritable: (dir: string) => boolean = writableDir,
): SetupReport {
  const problems: string[] = [];
  const overrides: Record<string, string> = {};
  const uid = process.getuid?.() ?? 'unknown';
  const defaults = env.DEFAULT_MODELS_DIR?.trim();
  for (const m of models) {
    if (m.present || wanted[m.type] === 0) continue;
    const hint = defaults
      ? `; the image's own models are in ${defaults}: \`docker run --rm -v <models folder>:/app/models <image> init-models\` copies them`
      : '';
    problems.push(`model ${m.type} not served: ${m.reason}${hint}`);
  }
  const logDir = env.LOG_DIR?.trim();
  if (logDir && !isWritable(logDir)) {
    problems.push(`LOG_DIR ${logDir} is not writable by uid ${uid}: logs go to stdout only`);
    overrides.LOG_DIR = '';
  }
  const dataDir = env.CUSTOMER_DATA_DIR?.trim();
  if (dataDir && TRUE.test(env.SAVE_UPLOADS?.trim() ?? '') && !isWritable(dataDir)) {
    problems.push(`CUSTOMER_DATA_DIR ${dataDir} is not writable by uid ${uid}: uploads are not retained`);
    overrides.SAVE_UPLOADS = 'false';
  }
  return { problems, env: overrides };
}
