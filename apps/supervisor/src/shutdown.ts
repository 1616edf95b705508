import type { Logger } from 'pino';
import type { Cluster } from './cluster';
import { redact } from './redis-bootstrap';

/** Time the embedded Redis gets once everything that uses it has stopped. */
const REDIS_STOP_MS = 5_000;

/**
 * Stops the cluster in dependency order: the gateway first (it stops accepting and finishes its
 * in-flight requests, which still need the actors), then the actors (each finishes its current
 * jobs), then the embedded Redis. Gateway and actors share one deadline of `graceMs`; whoever is
 * still running at the deadline is SIGKILLed.
 */
export async function shutdownCluster(cluster: Cluster, graceMs: number, log: Logger): Promise<void> {
  const deadline = Date.now() + graceMs;
  const left = () => Math.max(0, deadline - Date.now());
  log.info({ graceMs }, 'shutting down: gateway first');
  await cluster.gateway.stop(left());
  log.info({ actors: cluster.actors.length }, 'gateway stopped: stopping actors');
  await Promise.all(cluster.actors.map((a) => a.stop(left())));
  if (cluster.redis) {
    log.info({ redis: redact(cluster.redis.url) }, 'actors stopped: stopping the embedded Redis');
    await cluster.redis.stop(REDIS_STOP_MS);
  }
  log.info('cluster stopped');
}

export interface SignalHandlers {
  /** First SIGINT / SIGTERM / SIGHUP. */
  graceful: (signal: NodeJS.Signals) => void;
  /** A later SIGINT (a second Ctrl-C). */
  force: (signal: NodeJS.Signals) => void;
}

/**
 * The first SIGINT, SIGTERM or SIGHUP (terminal closed) starts the graceful shutdown; a second SIGINT forces it. `npm start`
 * forwards the signals it gets to us, so one Ctrl-C (or a process-group SIGTERM) can arrive twice
 * within milliseconds: repeats inside `duplicateWindowMs` count as the same one, and repeated
 * SIGTERMs never force (service managers escalate with SIGKILL themselves).
 */
export function installSignalHandlers(handlers: SignalHandlers, log: Logger, duplicateWindowMs = 500): () => void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstAt === undefined) {
      firstAt = now;
      log.info({ signal }, 'signal received: graceful shutdown (Ctrl-C again to force)');
      handlers.graceful(signal);
    } else if (signal === 'SIGINT' && now - firstAt > duplicateWindowMs) {
      log.warn({ signal }, 'second interrupt: forcing shutdown');
      handlers.force(signal);
    } else {
      log.info({ signal }, 'shutdown already in progress');
    }
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
