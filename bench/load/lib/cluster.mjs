import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds, descendants, freePort, sleep, startRedis } from './processes.mjs';
import { ROOT } from './root.mjs';

const SUPERVISOR = join(ROOT, 'apps/supervisor/dist/main.js');

/**
 * The cluster as `npm start` runs it (the supervisor, which starts the gateway cluster and the
 * actors) against a private redis-server, with `env` on top of the defaults. Resolves once
 * /health lists the wanted actors.
 */
export async function startCluster(env = {}) {
  const redis = await startRedis();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [SUPERVISOR], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port), REDIS_URL: redis.url },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  const append = (d) => (log = (log + d).slice(-20_000));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise((r) => child.once('exit', r));
  const want = { lgbm: Number(env.LGBM_ACTORS ?? 1), clip: Number(env.CLIP_ACTORS ?? 1) };
  let health;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`supervisor exited: ${log.slice(-2000)}`);
    if (i > 1200) throw new Error(`cluster not healthy within 120 s: ${JSON.stringify(health)} ${log.slice(-2000)}`);
    try {
      health = await (await fetch(`${base}/health`)).json();
      if (health.status === 'ok' && (health.actors.lgbm ?? []).length === want.lgbm && (health.actors.clip ?? []).length === want.clip) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
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
    logs: () => log,
    stop: async () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
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
    },
  };
}
