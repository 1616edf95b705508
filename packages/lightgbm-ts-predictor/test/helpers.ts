/** Shared test helpers: fixture access, error capture, and running the compiled CLI. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const PACKAGE_DIR = path.resolve(__dirname, '..');
export const FIXTURES_DIR = path.join(__dirname, 'fixtures');
export const CLI_BIN = path.join(PACKAGE_DIR, 'bin', 'lgbm-predict.js');
export const CLI_DIST = path.join(PACKAGE_DIR, 'dist', 'cli.js');
/** LightGBM conformance cases; LGBM_CONFORMANCE_DIR points the tests at another set of cases. */
export const CONFORMANCE_DIR =
  process.env.LGBM_CONFORMANCE_DIR ?? path.resolve(__dirname, '../../../../shared/conformance/lightgbm');

export function fixturePath(name: string): string {
  return path.join(FIXTURES_DIR, name);
}

export function fixture(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Run `fn` and return what it threw (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an exception, none was thrown');
}

/** 1-based number of the first line of `text` that starts with `prefix`. */
export function lineOf(text: string, prefix: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if ((lines[i] as string).startsWith(prefix)) return i + 1;
  throw new Error(`no line starting with ${prefix}`);
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawn the committed bin (which loads the compiled dist/cli.js) like a user would. */
export function runCli(args: readonly string[], input?: string): CliResult {
  if (!existsSync(CLI_DIST)) {
    throw new Error(`${CLI_DIST} is missing: build first (npx tsc -b packages/lightgbm-ts-predictor)`);
  }
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], { encoding: 'utf8', input, timeout: 60000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Parse CLI output: one row per line, tab-separated numbers. */
export function parseOutput(stdout: string): number[][] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t').map(Number));
}

export const sigmoid = (x: number, factor = 1): number => 1 / (1 + Math.exp(-factor * x));
