import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Linux /proc readers for fault tests: which processes exist (children, or carrying a marker in
 * their command line or environment), how much memory one holds, and which TCP connections it
 * owns. Reads only; a process that vanishes mid-read is simply skipped.
 */

/** Whether process trees can be read (Linux /proc); tests that need it skip visibly without it. */
export const procAvailable = existsSync('/proc/self/stat');

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

export function isAlive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === undefined) return false;
  // A zombie has exited; it only waits to be reaped.
  return parseStat(stat)?.state !== 'Z';
}

function parseStat(stat: string): { state: string; ppid: number; cpuSeconds: number } | undefined {
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = stat.slice(close + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat (11 and 12 after the comm), in clock ticks (100/s on Linux).
  return { state: fields[0], ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** Live (non-zombie) child processes of `pid`. */
export function childPids(pid: number): number[] {
  return pids().filter((p) => {
    const s = read(`/proc/${p}/stat`);
    const parsed = s === undefined ? undefined : parseStat(s);
    return parsed !== undefined && parsed.ppid === pid && parsed.state !== 'Z';
  });
}

/**
 * One line per process of the tree under `pid` (itself, then its children): state, CPU seconds
 * used and the kernel function it sleeps in, so a start that timed out says whether its processes
 * were busy, waiting, or gone.
 */
export function describeProcessTree(pid: number): string {
  const line = (p: number, indent: string): string => {
    const stat = read(`/proc/${p}/stat`);
    const parsed = stat === undefined ? undefined : parseStat(stat);
    if (parsed === undefined) return `${indent}${p}: gone`;
    const wchan = (read(`/proc/${p}/wchan`) ?? '?').trim() || '-';
    const threads = /^Threads:\s+(\d+)/m.exec(read(`/proc/${p}/status`) ?? '')?.[1] ?? '?';
    return `${indent}${p}: state ${parsed.state}, cpu ${parsed.cpuSeconds.toFixed(2)} s, threads ${threads}, wchan ${wchan}`;
  };
  return [line(pid, ''), ...childPids(pid).map((c) => line(c, '  '))].join('\n');
}

/** Resident memory of a process in bytes (VmRSS), undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Live processes whose command line or environment contains `marker` (this process excluded). */
export function processesWithMarker(marker: string): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  for (const pid of pids()) {
    if (pid === process.pid || !isAlive(pid)) continue;
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ').trim();
    const environ = read(`/proc/${pid}/environ`) ?? '';
    if (cmdline.includes(marker) || environ.includes(marker)) found.push({ pid, cmdline });
  }
  return found;
}

export interface TcpConnection {
  localPort: number;
  remotePort: number;
  /** Kernel TCP state, e.g. '01' = ESTABLISHED. */
  state: string;
}

/** TCP connections (IPv4 and IPv6) held open by `pid` whose local port is `localPort`. */
export function tcpConnectionsOf(pid: number, localPort: number): TcpConnection[] {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // fd closed meanwhile
    }
  }
  const out: TcpConnection[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table) ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      const port = (addr: string) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16);
      if (port(f[1]) === localPort) out.push({ localPort: port(f[1]), remotePort: port(f[2]), state: f[3] });
    }
  }
  return out;
}
