/**
 * `node orphan-guard.js [--orphan-cleanup DIR] <command> [args...]`: runs a non-Node program (the
 * embedded redis-server) so that it cannot outlive the supervisor: signals are passed on, and when
 * the supervisor dies the program gets SIGTERM (then SIGKILL after 5 s) and DIR, the program's
 * temp dir that the dead supervisor can no longer remove, is removed. The guard exits with the
 * program's status.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { watchParentDeath } from './parent-death';

const KILL_AFTER_MS = 5_000;
const argv = process.argv.slice(2);
const cleanupDir = argv[0] === '--orphan-cleanup' ? argv[1] : undefined;
const [command, ...args] = cleanupDir !== undefined ? argv.slice(2) : argv;
if (!command) {
  process.stderr.write('usage: orphan-guard [--orphan-cleanup DIR] <command> [args...]\n');
  process.exit(2);
}

let orphaned = false;
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
  // While the supervisor lives, the dir is its to keep (a restart reuses it) or remove.
  if (orphaned && cleanupDir) rmSync(cleanupDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
});
watchParentDeath(() => {
  orphaned = true;
  forward('SIGTERM');
});
