import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { withTimeout } from '@cataract/concurrency';
import { Backoff } from './backoff';

export interface ChildSpec {
  /** Stable name for logs, e.g. `gateway`, `lgbm-actor-2`. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
}

export interface ChildExit {
  name: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  uptimeMs: number;
  /** Delay before the restart, or null when the exit was asked for (stop / kill). */
  restartInMs: number | null;
}

type State = 'idle' | 'running' | 'waiting-restart' | 'stopping' | 'stopped';

/**
 * One child process kept alive: restarted with exponential backoff whenever it exits on its own,
 * stopped on request with a signal and a deadline. The child is the leader of its own process
 * group (`detached`), so a terminal's Ctrl-C reaches only the supervisor, which stops children in
 * order, and a forced kill takes the child's own children (a gateway's cluster workers) with it.
 */
export class SupervisedChild extends EventEmitter<{ spawn: [pid: number]; exit: [ChildExit] }> {
  private proc: ChildProcess | undefined;
  private state: State = 'idle';
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private exited: Promise<void> = Promise.resolve();
  private restarts = 0;

  constructor(
    readonly spec: ChildSpec,
    private readonly backoff: Backoff,
    private readonly log: Logger,
  ) {
    super();
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get restartCount(): number {
    return this.restarts;
  }

  get isRunning(): boolean {
    return this.proc !== undefined;
  }

  start(): void {
    if (this.state !== 'idle') throw new Error(`${this.spec.name} already started`);
    this.launch();
  }

  /**
   * Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILLs the child's process group.
   * Resolves once the child is gone; cancels a pending restart.
   */
  async stop(timeoutMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    clearTimeout(this.restartTimer);
    const proc = this.proc;
    this.state = proc ? 'stopping' : 'stopped';
    if (!proc) return;
    this.log.info({ child: this.spec.name, pid: proc.pid, signal, timeoutMs }, 'stopping child');
    proc.kill(signal);
    const timedOut = await withTimeout(this.exited.then(() => false), timeoutMs, () => true);
    if (timedOut) {
      this.log.warn({ child: this.spec.name, pid: proc.pid, timeoutMs }, 'child did not stop in time: SIGKILL');
      this.killGroup(proc);
      await this.exited;
    }
  }

  /** Immediate SIGKILL of the child's process group, no restart. Synchronous: usable in an 'exit' hook. */
  kill(): void {
    clearTimeout(this.restartTimer);
    this.state = 'stopped';
    if (this.proc) this.killGroup(this.proc);
  }

  private killGroup(proc: ChildProcess): void {
    if (proc.pid === undefined) return;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL'); // group already gone, or never became one
    }
  }

  private launch(): void {
    const { name, command, args, env, stdio } = this.spec;
    const proc = spawn(command, args, { env, stdio: stdio ?? 'inherit', detached: true });
    this.proc = proc;
    this.state = 'running';
    this.startedAt = Date.now();
    let settle!: () => void;
    this.exited = new Promise((resolve) => (settle = resolve));
    let done = false;
    const onGone = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (done) return; // 'error' and 'exit' can both fire for one failed spawn
      done = true;
      this.proc = undefined;
      this.handleExit(proc.pid, code, signal, error);
      settle();
    };
    proc.once('exit', (code, signal) => onGone(code, signal));
    // `on`, not `once`: a later error (a failed kill) without a listener would crash the supervisor.
    proc.on('error', (err) => {
      if (proc.pid === undefined) onGone(null, null, err); // never started; a live child's errors end in 'exit'
      else this.log.error({ child: name, err }, 'child process error');
    });
    if (proc.pid !== undefined) {
      this.log.info({ child: name, pid: proc.pid, restarts: this.restarts }, 'child started');
      this.emit('spawn', proc.pid);
    }
  }

  private handleExit(pid: number | undefined, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    const uptimeMs = Date.now() - this.startedAt;
    const wanted = this.state === 'stopping' || this.state === 'stopped';
    const restartInMs = wanted ? null : this.backoff.next(uptimeMs);
    const exit: ChildExit = { name: this.spec.name, pid, code, signal, uptimeMs, restartInMs };
    const { name: child, ...fields } = exit; // `name` is pino's logger name
    if (wanted) {
      this.state = 'stopped';
      this.log.info({ child, ...fields }, 'child exited');
    } else {
      this.state = 'waiting-restart';
      this.log.warn({ child, ...fields, err: error }, 'child exited unexpectedly: restarting after backoff');
      // The wait also absorbs a race with a shutdown signal that reached the child first.
      this.restartTimer = setTimeout(() => {
        if (this.state !== 'waiting-restart') return;
        this.restarts += 1;
        this.launch();
      }, restartInMs!);
    }
    this.emit('exit', exit);
  }
}
