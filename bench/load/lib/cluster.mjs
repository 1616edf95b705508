import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, descendants, freePort, sleep, startRedis } from './processes.mjs';
import { ROOT, requireFromRoot } from './root.mjs';

const SUPERVISOR = join(ROOT, 'apps/supervisor/dist/main.js');

/** KEY=VALUE strings (the scripts' --env options) as an environment object; values may contain '='. */
export function envFromPairs(pairs) {
  return Object.fromEntries(pairs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/**
 * The cluster as `npm start` runs it (the supervisor, which starts the gateway cluster and the
 * actors) against a private redis-server, with `env` on top of the defaults. Resolves once
 * /health lists the wanted actors.
 */
export async function startCluster(env = {}) {
  const redis = await startRedis();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Output to a file, as `npm start > log` (at the shipped LOG_LEVEL unless env says otherwise):
  // a pipe into this process would put the log's cost on the load generator.
  const logDir = mkdtempSync(join(tmpdir(), 'bench-load-log-'));
  const logFile = join(logDir, 'cluster.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [SUPERVISOR], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), REDIS_URL: redis.url },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const exited = new Promise((r) => child.once('exit', r));
  // the actor counts the supervisor will start (its own defaults, from its built config)
  const want = requireFromRoot(join(ROOT, 'apps/supervisor/dist/config.js')).loadConfig({ ...process.env, ...env }).actors;
  // With credentials configured, /health lists the actors to an operator only.
  const admin = (env.ADMIN_KEYS ?? process.env.ADMIN_KEYS ?? '').split(',')[0].trim();
  const healthHeaders = admin ? { 'X-API-Key': admin } : {};
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM'); // the supervisor stops its children in order
    } catch {
      // already gone
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 20_000);
    await exited;
    clearTimeout(killer);
    await redis.stop();
    rmSync(logDir, { recursive: true, force: true });
  };
  live.add(stop);
  let health;
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`supervisor exited: ${tail()}`);
      if (i > 1200) throw new Error(`cluster not healthy within 120 s: ${JSON.stringify(health)} ${tail()}`);
      try {
        health = await (await fetch(`${base}/health`, { headers: healthHeaders })).json();
        if (health.status === 'ok' && (health.actors.lgbm ?? []).length === want.lgbm && (health.actors.clip ?? []).length === want.clip) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (err) {
    await stop();
    live.delete(stop);
    throw err;
  }

  /** Processes by role, for CPU accounting (gateway = primary + its cluster workers). */
  const roles = () => {
    const out = { gateway: [], lgbm_actor: [], clip_actor: [], redis: [redis.pid], supervisor: [child.pid] };
    for (const p of descendants(child.pid)) {
      if (/--model[= ]lgbm/.test(p.cmd)) out.lgbm_actor.push(p.pid);
      else if (/--model[= ]clip/.test(p.cmd)) out.clip_actor.push(p.pid);
      else if (/apps\/gateway\/dist\/main\.js|profiled-entry\.cjs/.test(p.cmd)) out.gateway.push(p.pid);
    }
    return out;
  };
  const pids = roles();
  return {
    base,
    redisUrl: redis.url,
    health,
    pids,
    /** CPU seconds used so far by each role. */
    cpu: () => Object.fromEntries(Object.entries(pids).map(([role, list]) => [role, list.reduce((s, pid) => s + cpuSeconds(pid), 0)])),
    logs: tail,
    stop: async () => {
      live.delete(stop);
      await stop();
    },
  };
}

/** Clusters still running: stopped on Ctrl-C or a crash of the benchmark, never left behind. */
const live = new Set();
export async function stopAllClusters() {
  await Promise.allSettled([...live].map((stop) => stop()));
  live.clear();
}
