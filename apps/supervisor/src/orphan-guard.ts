/**
 * `node orphan-guard.js <command> [args...]`: runs a non-Node program (the embedded redis-server)
 * so that it cannot outlive the supervisor: signals are passed on, and when the supervisor dies
 * the program gets SIGTERM (then SIGKILL after 5 s). The guard exits with the program's status.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { watchParentDeath } from './parent-death';

const KILL_AFTER_MS = 5_000;
const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: orphan-guard <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: 'inherit' });
const forward = (signal: NodeJS.Signals) => {
  child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS).unref();
};
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => forward(signal));

child.on('error', (err) => {
  process.stderr.write(`orphan-guard: cannot run ${command}: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
});
watchParentDeath(() => forward('SIGTERM'));
