import { JOB_DEFAULTS, MODEL_TYPES, type ModelType } from '@cataract/contracts';
import { isAlive, processesWithMarker, rssBytes } from '@cataract/test-support/proc-inspect';
import { KeyCensus, keyCensus, unfinishedJobs } from '@cataract/test-support/redis-inspect';
import type { FaultCluster } from './fault-cluster';

/**
 * What must hold after every fault scenario, once the load has ended and the cluster has had time
 * to settle: Redis holds no per-request leftovers (uploads, unfinished or orphaned jobs, locks,
 * heartbeats of dead actors, job hashes beyond the retention caps), the gateway workers' memory
 * is flat, and stopping the cluster leaves no process behind.
 */

/** Resident memory growth allowed per gateway worker over one scenario. */
export const RSS_TOLERANCE_BYTES = 150 * 1024 * 1024;

export interface Baseline {
  census: KeyCensus;
  /** VmRSS of each gateway worker after warm-up. */
  workerRss: Map<number, number>;
}

export async function takeBaseline(c: FaultCluster): Promise<Baseline> {
  const census = await keyCensus(c.redisUrl);
  const workerRss = new Map<number, number>();
  for (const pid of c.gatewayWorkers()) workerRss.set(pid, rssBytes(pid) ?? 0);
  return { census, workerRss };
}

/** Every way `now` differs from a clean state, in words ([] when clean). */
export function keyProblems(now: KeyCensus, base: KeyCensus, liveActors: Record<ModelType, number>): string[] {
  const problems: string[] = [];
  if (now.uploads.length > 0) problems.push(`${now.uploads.length} upload keys left`);
  if (unfinishedJobs(now) > 0) problems.push(`${unfinishedJobs(now)} unfinished jobs`);
  let accounted = now.uploads.length + now.unknown.length + now.modelKeys.length + now.retainedIndex.length + now.driftKeys.length;
  const prepares = now.modelKeys.filter((k) => k.endsWith(':prepare'));
  if (prepares.length > 0) problems.push(`model prepare requests left: ${prepares.join(', ')}`);
  for (const t of MODEL_TYPES) {
    const q = now.queues[t];
    if (q.orphanJobs.length > 0) problems.push(`${t}: ${q.orphanJobs.length} job hashes in no queue state`);
    if (q.locks > 0) problems.push(`${t}: ${q.locks} job locks left`);
    if (q.otherJobKeys > 0) problems.push(`${t}: ${q.otherJobKeys} other per-job keys`);
    const finished = q.counts.completed + q.counts.failed;
    if (q.jobHashes !== finished) problems.push(`${t}: ${q.jobHashes} job hashes but ${finished} finished jobs`);
    if (q.counts.completed > JOB_DEFAULTS.keepCompleted) problems.push(`${t}: ${q.counts.completed} completed jobs kept (cap ${JOB_DEFAULTS.keepCompleted})`);
    if (q.counts.failed > JOB_DEFAULTS.keepFailed) problems.push(`${t}: ${q.counts.failed} failed jobs kept (cap ${JOB_DEFAULTS.keepFailed})`);
    if (now.heartbeats[t].length !== liveActors[t]) problems.push(`${t}: ${now.heartbeats[t].length} heartbeat keys for ${liveActors[t]} live actors`);
    if (now.actorIndex[t].join() !== now.heartbeats[t].join()) problems.push(`${t}: actor index [${now.actorIndex[t]}] != heartbeats [${now.heartbeats[t]}]`);
    accounted += q.jobHashes + q.locks + q.otherJobKeys + q.fixedKeys.length + now.heartbeats[t].length + (now.actorIndex[t].length > 0 ? 1 : 0);
  }
  const newUnknown = now.unknown.filter((k) => !base.unknown.includes(k));
  if (newUnknown.length > 0) problems.push(`unexpected keys: ${newUnknown.slice(0, 10).join(', ')}`);
  // Every key is one of the kinds above: DBSIZE is fully explained by them.
  if (accounted !== now.dbsize) problems.push(`DBSIZE ${now.dbsize} but ${accounted} keys accounted for`);
  return problems;
}

/**
 * Polls (with a /health probe each round, as a load balancer would send, which also lets the
 * gateway prune expired actors from its index) until Redis is clean or `timeoutMs` has passed;
 * returns the last census and what was still wrong then.
 */
export async function settle(c: FaultCluster, base: Baseline, timeoutMs: number): Promise<{ census: KeyCensus; problems: string[]; waitedMs: number }> {
  const t0 = Date.now();
  for (;;) {
    await c.health().catch(() => undefined);
    const census = await keyCensus(c.redisUrl);
    const live = Object.fromEntries(MODEL_TYPES.map((t) => [t, c.liveActors(t).length])) as Record<ModelType, number>;
    const problems = keyProblems(census, base.census, live);
    if (problems.length === 0 || Date.now() - t0 > timeoutMs) return { census, problems, waitedMs: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** RSS growth of each gateway worker that was there at the baseline and still is. */
export function memoryGrowth(base: Baseline, c: FaultCluster): Array<{ pid: number; beforeMb: number; afterMb: number; growthMb: number }> {
  const mb = (b: number) => Math.round(b / 1048576);
  return c
    .gatewayWorkers()
    .filter((pid) => base.workerRss.has(pid))
    .map((pid) => {
      const before = base.workerRss.get(pid)!;
      const after = rssBytes(pid) ?? 0;
      return { pid, beforeMb: mb(before), afterMb: mb(after), growthMb: mb(after - before) };
    });
}

/** Stops the cluster and lists whatever is still running from it (must be nothing). */
export async function stopAndFindLeftovers(c: FaultCluster): Promise<string[]> {
  await c.stop();
  const left = processesWithMarker(c.marker).map((p) => `${p.pid}: ${p.cmdline}`);
  if (isAlive(c.redisPid)) left.push(`redis-server ${c.redisPid}`);
  return left;
}
