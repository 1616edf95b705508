import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A private, non-persistent redis-server (never the shared one). */
export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-load-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error('redis-server exited at start (is it on the PATH?)');
    if (await canConnect(port)) break;
    if (i > 100) throw new Error('redis-server did not listen within 10 s');
    await sleep(100);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** CPU seconds (user + system, all threads) of a process so far, from /proc; 0 once it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime in USER_HZ ticks
  } catch {
    return 0;
  }
}

/**
 * CPU ms per request of each role between two CPU snapshots (seconds, as cluster.cpu() returns)
 * over `n` requests; undefined when no request was served.
 */
export function cpuPerRequest(before, after, n) {
  if (!n) return undefined;
  return Object.fromEntries(Object.keys(after).map((k) => [k, Number((((after[k] - before[k]) * 1000) / n).toFixed(2))]));
}

/** Every descendant of `pid` with its command line (for telling gateway workers from actors). */
export function descendants(pid) {
  const parent = new Map();
  const cmd = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(Number(e), readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ').trim());
    } catch {
      // gone
    }
  }
  const out = [];
  const walk = (p) => {
    for (const [child, ppid] of parent) {
      if (ppid === p) {
        out.push({ pid: child, cmd: cmd.get(child) ?? '' });
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}
