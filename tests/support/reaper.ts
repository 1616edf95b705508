import type { ChildProcess } from 'node:child_process';

/**
 * Children started by test support, killed (with their process group when they lead one) if the
 * test process exits without stopping them, so a failed or interrupted run leaves no orphans.
 */
const live = new Set<ChildProcess>();
let installed = false;

export function track(child: ChildProcess, group = false): void {
  live.add(child);
  (child as ChildProcess & { __group?: boolean }).__group = group;
  child.once('exit', () => live.delete(child));
  if (!installed) {
    installed = true;
    process.once('exit', killAll);
  }
}

export function untrack(child: ChildProcess): void {
  live.delete(child);
}

export function killAll(): void {
  for (const child of live) {
    const group = (child as ChildProcess & { __group?: boolean }).__group;
    try {
      if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
