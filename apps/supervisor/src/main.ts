/**
 * `npm start`: the whole cluster on one machine. Finds (or starts) Redis, detects which models are
 * on disk, runs the gateway and the actors as supervised child processes, restarts them when
 * they crash, and shuts everything down in order on Ctrl-C / SIGTERM. It talks to the other apps
 * only through process boundaries (argv, env, signals), never by importing their code.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { createServiceLogger } from '@cataract/service-kit';
import { Cluster, planCluster } from './cluster';
import { loadConfig, type SupervisorConfig } from './config';
import { ConfigError, RedisUnavailableError } from './errors';
import { detectModels } from './models';
import { ensureRedis, redact, type EmbeddedRedis } from './redis-bootstrap';
import { installSignalHandlers, shutdownCluster } from './shutdown';

const FORCED_EXIT_CODE = 130;

let cluster: Cluster | undefined;
let embeddedRedis: EmbeddedRedis | undefined;

/** Last resort: whatever happens to this process, its children go with it. */
function killEverything(): void {
  cluster?.killAll();
  embeddedRedis?.kill();
}

async function run(config: SupervisorConfig, log: Logger): Promise<number> {
  let stopRequested: () => void = () => undefined;
  let stopping = false;
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));
  installSignalHandlers(
    {
      graceful: () => {
        stopping = true;
        stopRequested();
      },
      force: () => {
        killEverything();
        process.exit(FORCED_EXIT_CODE);
      },
    },
    log,
  );

  const models = await detectModels(config.modelsDir);
  for (const m of models) {
    if (m.present) log.info({ model: m.type, version: m.version, file: m.file }, 'model found');
    else log.warn({ model: m.type, reason: m.reason }, 'model missing: not served, not required by /health');
  }

  // Before any Redis is started: a missing build is the likeliest first-run mistake.
  const anyActor = models.some((m) => m.present && config.actors[m.type] > 0);
  for (const entry of [config.gatewayEntry, ...(anyActor ? [config.actorEntry] : [])]) {
    if (!existsSync(entry)) throw new ConfigError(`${entry} not found: build the project first (npm run build)`);
  }

  const endpoint = await ensureRedis({
    url: config.redisUrl,
    probeTimeoutMs: config.redisProbeTimeoutMs,
    restart: config.restart,
    log,
  });
  embeddedRedis = endpoint.embedded;

  const plan = planCluster(config, models, endpoint.url);
  if (plan.served.length === 0) log.warn({ modelsDir: config.modelsDir }, 'no model to serve: starting the gateway alone');

  if (!stopping) {
    cluster = new Cluster(plan, config, log, endpoint.embedded);
    cluster.start();
    log.info(
      {
        port: config.port,
        redis: redact(endpoint.url),
        embeddedRedis: endpoint.embedded !== undefined,
        served: plan.served,
        actors: plan.actors.map((a) => a.name),
      },
      'cluster started',
    );
    await stopSignal;
    await shutdownCluster(cluster, config.shutdownGraceMs, log);
  } else if (embeddedRedis) {
    await embeddedRedis.stop();
  }
  return 0;
}

function main(): void {
  let config: SupervisorConfig;
  try {
    config = loadConfig();
  } catch (err) {
    createServiceLogger({ service: 'supervisor', level: 'info' }).fatal({ err }, (err as Error).message);
    process.exit(1);
  }
  const log = createServiceLogger({ service: 'supervisor', level: config.logLevel }); // synchronous stdout: nothing lost on exit
  process.on('exit', killEverything);
  const crash = (err: unknown) => {
    log.fatal({ err }, 'supervisor crashed: killing its children');
    killEverything();
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  run(config, log).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof RedisUnavailableError || err instanceof ConfigError) {
        log.fatal({ err: { type: err.name, message: err.message } }, err.message);
        killEverything();
        process.exit(1);
      }
      crash(err);
    },
  );
}

main();
