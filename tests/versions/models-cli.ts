import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@cataract/test-support/processes';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** When the command started and returned (epoch ms): a switch happened between them. */
  start: number;
  end: number;
}

/** `npm run models -- ARGS` as the operator runs it (the built tools/dist/models.js), against a cluster's Redis and MODELS_DIR. */
export function modelsCli(args: string[], env: { REDIS_URL: string; MODELS_DIR: string }): Promise<CliResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'tools', 'dist', 'models.js'), ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr, start, end: Date.now() });
    });
  });
}
