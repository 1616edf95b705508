import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '@cataract/test-support/proc-inspect';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SUPERVISOR_MAIN = path.join(ROOT, 'apps/supervisor/dist/main.js');
export const FAKE_CHILD = path.join(__dirname, '..', 'fixtures', 'fake-child.js');

export interface ChildEvent {
  name: string;
  pid: number;
  event: 'start' | 'crash' | 'sigterm' | 'exit';
  t: number;
  argv?: string[];
  env?: Record<string, string | undefined>;
}

/** Polls `check` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A models dir holding a schema-valid manifest and model file for each of `types`. */
export function makeModelsDir(root: string, types: Array<'lgbm' | 'clip'>): string {
  const dir = path.join(root, 'models');
  for (const type of types) {
    mkdirSync(path.join(dir, type), { recursive: true });
    const common = {
      name: type,
      version: `${type}-test`,
      sha256: '0'.repeat(64),
      labels: ['normal', 'cataract'],
      positive_label: 'cataract',
      threshold: 0.5,
      created: '2026-01-01T00:00:00Z',
    };
    const manifest =
      type === 'lgbm'
        ? { ...common, runtime: 'lightgbm', file: 'model.txt', feature_set: { name: 'test', version: '1' } }
        : {
            ...common,
            runtime: 'onnx',
            file: 'model.onnx',
            input: { name: 'x', layout: 'NCHW', width: 8, height: 8, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' },
            output: { name: 'y', kind: 'probabilities' },
          };
    writeFileSync(path.join(dir, type, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(path.join(dir, type, manifest.file), 'not a real model: the fake actor never reads it');
  }
  return dir;
}

/** `node apps/supervisor/dist/main.js` with fake gateway/actor entry points, its log parsed. */
export class SupervisorProcess {
  readonly proc: ChildProcess;
  readonly dir: string;
  readonly eventsFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = '';

  /**
   * `viaNpm`: run the root package.json's `start` script (without `prestart`) the way the
   * acceptance checks do, as the leader of a new process group (`setsid npm start`).
   */
  constructor(env: NodeJS.ProcessEnv, models: Array<'lgbm' | 'clip'> = ['lgbm', 'clip'], viaNpm = false) {
    if (!existsSync(SUPERVISOR_MAIN)) throw new Error(`${SUPERVISOR_MAIN} missing: run npx tsc -b apps/supervisor first`);
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-it-'));
    this.eventsFile = path.join(this.dir, 'events.jsonl');
    writeFileSync(this.eventsFile, '');
    const [command, args] = viaNpm ? ['npm', ['start', '--ignore-scripts']] : [process.execPath, [SUPERVISOR_MAIN]];
    this.proc = spawn(command, args, {
      cwd: ROOT,
      detached: viaNpm,
      env: {
        ...process.env,
        MODELS_DIR: makeModelsDir(this.dir, models),
        SUPERVISOR_GATEWAY_ENTRY: FAKE_CHILD,
        SUPERVISOR_ACTOR_ENTRY: FAKE_CHILD,
        FAKE_EVENTS: this.eventsFile,
        RESTART_INITIAL_MS: '100',
        PORT: '18999', // only passed on: the fake gateway does not listen
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc.stdout!.on('data', (d) => (this.out += String(d)));
    this.proc.stderr!.on('data', (d) => (this.out += String(d)));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.out;
  }

  /** The supervisor's pino log lines. */
  logs(): Array<Record<string, unknown>> {
    return this.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  events(): ChildEvent[] {
    return readFileSync(this.eventsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ChildEvent);
  }

  started(name: string): ChildEvent[] {
    return this.events().filter((e) => e.name === name && e.event === 'start');
  }

  /** Waits until each named child has a running instance; returns their pids. */
  async waitForChildren(names: string[]): Promise<number[]> {
    return waitFor(`children ${names.join(', ')}`, () => {
      const pids = names.map((n) => this.started(n).at(-1)?.pid);
      return pids.every((p) => p !== undefined && isAlive(p)) ? (pids as number[]) : undefined;
    });
  }

  waitForLog(what: RegExp): Promise<Record<string, unknown>> {
    return waitFor(`log ${what}`, () => this.logs().find((l) => what.test(String(l.msg))));
  }

  /** Best-effort cleanup after a failed test: nothing it started may survive. */
  async cleanup(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    for (const pid of this.logs().map((l) => l.pid as number)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    // Its children share these pipes; close our ends so nothing keeps jest waiting.
    this.proc.stdout?.destroy();
    this.proc.stderr?.destroy();
    for (const e of existsSync(this.eventsFile) ? this.events() : []) {
      if (isAlive(e.pid)) process.kill(e.pid, 'SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
