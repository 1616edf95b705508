import { readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_PREFIX } from './atomic-write';

const DAY_MS = 24 * 60 * 60 * 1000;
const DAY_DIR = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface PruneOptions {
  /** Records older than this many days are deleted (CUSTOMER_DATA_MAX_DAYS); 0 keeps them forever. */
  maxDays: number;
  /** Temp files and images without a sidecar older than this are crash leftovers (default 1 h). */
  leftoverAfterMs?: number;
  now?: () => number;
}

export interface PruneReport {
  removedRecords: number;
  removedDays: number;
  removedLeftovers: number;
}

/**
 * One retention pass over CUSTOMER_DATA_DIR: whole day directories entirely older than the limit
 * go at once; in the boundary day, records (image + sidecar) whose files are older go one by one.
 * Also removes crash leftovers: temp files, and images whose sidecar never got written (the
 * client was never answered about those). Safe to run from several gateways at once: every
 * removal tolerates the file being gone already.
 */
export async function pruneRetained(dir: string, opts: PruneOptions): Promise<PruneReport> {
  const now = (opts.now ?? Date.now)();
  const leftoverAfter = opts.leftoverAfterMs ?? 60 * 60 * 1000;
  const cutoff = opts.maxDays > 0 ? now - opts.maxDays * DAY_MS : -Infinity;
  const report: PruneReport = { removedRecords: 0, removedDays: 0, removedLeftovers: 0 };
  let days: string[];
  try {
    days = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw err;
  }
  for (const day of days.sort()) {
    const m = DAY_DIR.exec(day);
    if (!m) continue; // not ours
    const dayPath = join(dir, day);
    const dayEnd = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY_MS;
    if (dayEnd <= cutoff) {
      const n = (await readdir(dayPath).catch(() => [] as string[])).filter((f) => f.endsWith('.json') && !f.startsWith(TEMP_PREFIX)).length;
      await rm(dayPath, { recursive: true, force: true });
      report.removedDays++;
      report.removedRecords += n;
      continue;
    }
    await pruneDay(dayPath, cutoff, now - leftoverAfter, report);
  }
  return report;
}

async function pruneDay(dayPath: string, cutoff: number, leftoverCutoff: number, report: PruneReport): Promise<void> {
  const files = await readdir(dayPath).catch(() => [] as string[]);
  const sidecars = new Set(files.filter((f) => f.endsWith('.json') && !f.startsWith(TEMP_PREFIX)).map((f) => f.slice(0, -5)));
  for (const f of files) {
    const path = join(dayPath, f);
    const mtime = await stat(path).then((s) => s.mtimeMs, () => undefined);
    if (mtime === undefined) continue;
    const id = f.slice(0, f.lastIndexOf('.'));
    if (f.startsWith(TEMP_PREFIX) || !sidecars.has(id)) {
      if (mtime <= leftoverCutoff) {
        await unlink(path).catch(() => undefined);
        report.removedLeftovers++;
      }
      continue;
    }
    if (mtime <= cutoff) {
      await unlink(path).catch(() => undefined);
      if (f.endsWith('.json')) report.removedRecords++;
    }
  }
}

export interface PrunerHandle {
  stop(): void;
}

/** Runs pruneRetained now and then every intervalMs (default hourly); errors are reported, never thrown. */
export function startPruner(
  dir: string,
  opts: PruneOptions & { intervalMs?: number; onPass?: (r: PruneReport) => void; onError?: (err: Error) => void },
): PrunerHandle {
  let running = false;
  const pass = () => {
    if (running) return;
    running = true;
    pruneRetained(dir, opts)
      .then((r) => opts.onPass?.(r), (err: Error) => opts.onError?.(err))
      .finally(() => {
        running = false;
      });
  };
  pass();
  const timer = setInterval(pass, opts.intervalMs ?? 60 * 60 * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
