import cluster, { Worker } from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { loadConfig, workerNodeFlags } from './config';
import { createLogger } from './logger';
import { startPrimaryServices } from './process/primary-services';
import { START_BARRIER_MAX_MS, startBarrier } from './process/start-barrier';

/**
 * `node apps/gateway/dist/main.js`: the cluster primary forks GATEWAY_WORKERS HTTP workers sharing
 * PORT, respawns any that dies (with backoff), and on SIGTERM/SIGINT stops them gracefully and
 * exits 0. Workers run process/http-worker.ts, loaded only in a worker: the primary never loads the
 * HTTP stack, the image code or the warm-up.
 */
const config = loadConfig();
// Primary and every worker: see V8_INTERRUPT_BUDGET in config.ts.
if (config.interruptBudget > 0) setFlagsFromString(`--interrupt-budget=${config.interruptBudget}`);

if (cluster.isPrimary) runPrimary();
else runWorker();

function runPrimary(): void {
  const logger = createLogger(config.logLevel, { role: 'primary' }, config.logDir);
  const duties = startPrimaryServices(config, logger);
  let stopping = false;
  let backoffMs = 0;
  const startedAt = new Map<number, number>();
  const barrier = startBarrier(cluster, config.workers, START_BARRIER_MAX_MS); // the initial workers listen together
  // V8 sizes its heap at start: the young generation's limit must be a worker's own flag (config.ts).
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...workerNodeFlags(config)] });

  const fork = () => {
    const w = cluster.fork();
    startedAt.set(w.id, Date.now());
  };

  cluster.on('exit', (worker: Worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('all gateway workers stopped');
        process.exit(0);
      }
      return;
    }
    // A worker that ran a while gets replaced at once; one crashing at boot backs off up to 5 s.
    backoffMs = lived > 10_000 ? 0 : Math.min(Math.max(backoffMs * 2, 100), 5000);
    logger.error({ pid: worker.process.pid, code, signal, respawnInMs: backoffMs }, 'gateway worker died; respawning');
    setTimeout(() => {
      if (!stopping) fork();
    }, backoffMs);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    barrier.release();
    duties.stop();
    logger.info({ signal }, 'stopping gateway workers');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error('gateway workers did not stop in time; killing them');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownGraceMs + 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  logger.info({ workers: config.workers, port: config.port }, 'gateway primary starting');
  for (let i = 0; i < config.workers; i++) fork();
}

function runWorker(): void {
  const logger = createLogger(config.logLevel, { role: 'worker', worker: cluster.worker?.id }, config.logDir);
  let stopping = false;
  const started = import('./process/http-worker').then(({ startHttpWorker }) => startHttpWorker(config, logger));
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'gateway worker stopping');
    started
      .then((w) => w.close())
      .then(
        () => process.exit(0),
        (err: Error) => {
          logger.error({ err: err.message }, 'gateway worker stopped with an error');
          process.exit(1);
        },
      );
  };
  started.catch((err: Error) => {
    logger.fatal({ err: err.message }, 'gateway worker failed to start');
    process.exit(1);
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // The primary is gone (killed): finish what is in flight and leave, never linger as an orphan.
  process.on('disconnect', () => stop('primary disconnected'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => logger.error({ reason }, 'unhandled rejection'));
}
