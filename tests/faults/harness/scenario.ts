import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadOptions, LoadRun, Sample, startLoad, summarize } from '@cataract/test-support/load';
import { REPO_ROOT } from '@cataract/test-support/processes';
import { redisServerAvailable } from '@cataract/test-support/redis';
import { FaultCluster, FaultClusterOptions, realModelPresent } from './fault-cluster';
import { loadPhotos } from './photos';
import { Baseline, memoryGrowth, RSS_TOLERANCE_BYTES, settle, stopAndFindLeftovers, takeBaseline } from './invariants';

/** The request deadline the scenarios' gateways run with (REQUEST_TIMEOUT_MS), unless stated otherwise. */
export const DEADLINE_MS = 8000;
/**
 * The gateway's default REQUEST_TIMEOUT_MS. The actor's lock duration and stalled interval (how
 * fast a killed actor's jobs come back) are tuned against it (apps/actor/test/config.test.ts), so
 * the actor-kill scenario, whose promise is "recovered within the deadline", runs with it.
 */
export const DEFAULT_DEADLINE_MS = 10_000;
/**
 * How far past its deadline an answer may still arrive: the deadline starts when the gateway has
 * read the request's headers, and a loaded 2-core machine delays accepting and answering.
 */
export const DEADLINE_SLACK_MS = 3000;
/** The load client gives up on a request after this (recorded as CLIENT_TIMEOUT: a hang). */
export const CLIENT_TIMEOUT_MS = DEFAULT_DEADLINE_MS + 4000;
/** "Fast" 503: well before the deadline. */
export const FAST_MS = DEADLINE_MS / 2;
/** Longest a clean-up may take after the load: deadline + upload TTL margin + lock expiry + stalled checks, and slack. */
export const SETTLE_MS = DEFAULT_DEADLINE_MS + 2000 + 4000 + 2000 + 5000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why a scenario cannot run here ('' when it can): it needs redis-server and the repository's real models. */
export function skipReason(needs: { clip?: boolean } = {}): string {
  if (!redisServerAvailable()) return ' (skipped: redis-server not on PATH)';
  if (!realModelPresent('lgbm')) return ' (skipped: models/lgbm absent)';
  if (needs.clip && !realModelPresent('clip')) return ' (skipped: models/clip absent)';
  return '';
}

/** describe, or describe.skip with the reason appended to its title. */
export function describeFaults(title: string, needs: { clip?: boolean }, body: () => void): void {
  const reason = skipReason(needs);
  (reason ? describe.skip : describe)(title + reason, body);
}

export function load(c: FaultCluster, photos: Buffer[], opts: Pick<LoadOptions, 'path' | 'concurrency' | 'durationMs'> & { label?: string }): LoadRun {
  return startLoad({ base: c.base, photos, clientTimeoutMs: CLIENT_TIMEOUT_MS, label: opts.label ?? opts.path, ...opts });
}

/** A short load on each endpoint before the baseline, so caches, JIT and heaps have reached their working size. */
export async function warmUp(c: FaultCluster, photos: Buffer[], paths: Array<{ path: string; concurrency: number }>, durationMs = 3000): Promise<Baseline> {
  const runs = paths.map((p) => load(c, photos, { ...p, durationMs, label: `warm-up ${p.path}` }));
  const samples = (await Promise.all(runs.map((r) => r.done))).flat();
  const bad = samples.filter((s) => s.status !== 200);
  if (bad.length > 0) throw new Error(`warm-up failed: ${JSON.stringify(summarize(samples).byOutcome)}\n${c.logs()}`);
  return takeBaseline(c);
}

/** Requests that got no answer, or one later than the deadline allows. */
export function hangs(samples: readonly Sample[], deadlineMs = DEADLINE_MS): Sample[] {
  return samples.filter((s) => (s.status === null && s.code === 'CLIENT_TIMEOUT') || s.latencyMs > deadlineMs + DEADLINE_SLACK_MS);
}

export interface ScenarioReport {
  scenario: string;
  setup: Record<string, unknown>;
  loads: Record<string, ReturnType<typeof summarize>>;
  notes: Record<string, unknown>;
  settle?: { waitedMs: number; dbsizeBaseline: number; dbsizeAfter: number; problems: string[] };
  memory?: ReturnType<typeof memoryGrowth>;
  leftovers?: string[];
}

/** Prints one scenario's numbers and keeps them in test-output/faults/<scenario>.json. */
export function writeReport(r: ScenarioReport): void {
  const dir = join(REPO_ROOT, 'test-output', 'faults');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${r.scenario}.json`), JSON.stringify(r, null, 2));
  const loads = Object.entries(r.loads)
    .map(([k, s]) => `${k}: ${s.total} requests ${JSON.stringify(s.byOutcome)}${Object.keys(s.errorCodes).length ? ` ${JSON.stringify(s.errorCodes)}` : ""} p50 ${s.p50Ms} ms max ${s.maxMs} ms`)
    .join('; ');
  process.stdout.write(`[faults] ${r.scenario}: ${loads}; ${JSON.stringify(r.notes)}; settle ${JSON.stringify(r.settle)}; rss ${JSON.stringify(r.memory)}\n`);
}

/**
 * The checks every scenario ends with: Redis back to a clean state within SETTLE_MS, gateway worker
 * memory flat, and nothing left running once the cluster is stopped. Fills the report as it goes.
 */
export async function expectCleanAfter(
  c: FaultCluster,
  base: Baseline,
  report: ScenarioReport,
  /** Scenario-specific reads of the settled cluster, before it is stopped. */
  beforeStop?: () => Promise<void>,
): Promise<void> {
  const s = await settle(c, base, SETTLE_MS);
  report.settle = { waitedMs: s.waitedMs, dbsizeBaseline: base.census.dbsize, dbsizeAfter: s.census.dbsize, problems: s.problems };
  report.memory = memoryGrowth(base, c);
  await beforeStop?.();
  report.leftovers = await stopAndFindLeftovers(c);
  writeReport(report);
  writeFileSync(join(REPO_ROOT, 'test-output', 'faults', `${report.scenario}.log`), c.logs(65536));
  // Faults are handled, never escape: no process logged an uncaught exception or unhandled rejection.
  expect(c.processes().filter((p) => /uncaught exception|unhandled rejection/i.test(p.output())).map((p) => `${p.name} ${p.pid}`)).toEqual([]);
  expect(s.problems).toEqual([]);
  for (const m of report.memory) expect(m.growthMb * 1048576).toBeLessThan(RSS_TOLERANCE_BYTES);
  expect(report.leftovers).toEqual([]);
}

/**
 * A describe block's photos (loaded once) and the cluster its test starts, stopped after each test
 * whatever the test did.
 */
export function useFaultCluster(): { photos: Buffer[]; start(opts: FaultClusterOptions): Promise<FaultCluster> } {
  let cluster: FaultCluster | undefined;
  const ctx = {
    photos: [] as Buffer[],
    async start(opts: FaultClusterOptions): Promise<FaultCluster> {
      cluster = await FaultCluster.start(opts);
      return cluster;
    },
  };
  beforeAll(async () => {
    ctx.photos = (await loadPhotos()).photos;
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  return ctx;
}
