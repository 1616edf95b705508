import type { ChildProcess, StdioOptions } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { isAlive } from '@cataract/test-support/proc-inspect';
import { Backoff } from '../src/backoff';
import { SupervisedChild, type ChildExit } from '../src/child-process';

const log = pino({ level: 'silent' });
const backoff = () => new Backoff({ initialMs: 50, maxMs: 400, resetAfterMs: 60_000 });
const node = (script: string, env: NodeJS.ProcessEnv = {}) => ({
  command: process.execPath,
  args: ['-e', script],
  env: { ...process.env, ...env },
  stdio: 'ignore' as StdioOptions,
});
const nextExit = (child: SupervisedChild) => new Promise<ChildExit>((resolve) => child.once('exit', resolve));
const nextSpawn = (child: SupervisedChild) => new Promise<number>((resolve) => child.once('spawn', resolve));
/** The first line a started child (spawned with a piped stdout) prints. */
const readyLine = (child: SupervisedChild) => {
  const proc = (child as unknown as { proc: ChildProcess }).proc;
  return new Promise<string>((resolve) => proc.stdout!.once('data', (d) => resolve(String(d).trim())));
};

describe('SupervisedChild', () => {
  const children: SupervisedChild[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop(0))); // and wait for their exits
  });
  const supervise = (spec: ReturnType<typeof node>, name = 'test') => {
    const child = new SupervisedChild({ name, ...spec }, backoff(), log);
    children.push(child);
    return child;
  };

  it('restarts a crashed child with growing delays, and reports each exit', async () => {
    const child = supervise(node('setTimeout(() => process.exit(7), 20)'));
    const exits: ChildExit[] = [];
    child.on('exit', (e) => exits.push(e));
    child.start();
    while (exits.length < 3) await nextExit(child);
    expect(exits.map((e) => e.code)).toEqual([7, 7, 7]);
    expect(exits.map((e) => e.restartInMs)).toEqual([50, 100, 200]);
    expect(child.restartCount).toBeGreaterThanOrEqual(2);
  });

  it('restarts a child killed by a signal', async () => {
    const child = supervise(node('setInterval(() => {}, 1000)'));
    const first = nextSpawn(child);
    child.start();
    const pid = await first;
    const exit = nextExit(child);
    const second = nextSpawn(child);
    process.kill(pid, 'SIGKILL');
    expect(await exit).toMatchObject({ signal: 'SIGKILL', restartInMs: 50 });
    const newPid = await second;
    expect(newPid).not.toBe(pid);
    expect(isAlive(newPid)).toBe(true);
  });

  it('stop() sends SIGTERM, waits for the exit and does not restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-child-'));
    const marker = path.join(dir, 'got');
    const script = `process.on('SIGTERM', () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'SIGTERM'); process.exit(0); });
      console.log('ready'); setInterval(() => {}, 1000)`;
    try {
      const child = supervise({ ...node(script), stdio: ['ignore', 'pipe', 'ignore'] });
      child.start();
      await readyLine(child); // its handler is installed
      const exit = nextExit(child);
      await child.stop(5000);
      expect(await exit).toMatchObject({ code: 0, restartInMs: null });
      expect(readFileSync(marker, 'utf8')).toBe('SIGTERM');
      expect(child.isRunning).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stop() SIGKILLs the whole process group of a child that ignores SIGTERM', async () => {
    // The child ignores SIGTERM and has a grandchild of its own (like a cluster worker).
    const script = `
      process.on('SIGTERM', () => {});
      const g = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(g.pid);
      setInterval(() => {}, 1000);`;
    const child = supervise({ ...node(script), stdio: ['ignore', 'pipe', 'ignore'] }, 'stubborn');
    child.start();
    const grandchild = Number(await readyLine(child)); // printed once its SIGTERM handler is in place
    const exit = nextExit(child);
    await child.stop(300);
    expect(await exit).toMatchObject({ signal: 'SIGKILL', restartInMs: null });
    for (let i = 0; i < 50 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(grandchild)).toBe(false);
  });

  it('a command that cannot be spawned counts as a crash: reported, retried, no exception', async () => {
    const child = supervise({ command: '/nonexistent/program', args: [], env: process.env, stdio: 'ignore' }, 'missing');
    const exit = nextExit(child);
    child.start();
    expect(await exit).toMatchObject({ name: 'missing', pid: undefined, code: null, signal: null, restartInMs: 50 });
    expect(await nextExit(child)).toMatchObject({ restartInMs: 100 });
  });

  it('stop() during a restart wait cancels the restart', async () => {
    const child = new SupervisedChild(
      { name: 'slow-restart', ...node('process.exit(1)') },
      new Backoff({ initialMs: 400, maxMs: 400, resetAfterMs: 60_000 }),
      log,
    );
    children.push(child);
    let spawns = 0;
    child.on('spawn', () => spawns++);
    const exit = nextExit(child);
    child.start();
    await exit;
    await child.stop(1000);
    await new Promise((r) => setTimeout(r, 600));
    expect(spawns).toBe(1);
  });
});
