import { setFlagsFromString } from 'node:v8';
import { disableDecodeCache } from '@cataract/imaging';
import { createServiceLogger, logDestination } from '@cataract/service-kit';
import { loadConfig } from './config';
import { startActor } from './actor';

/**
 * `node apps/actor/dist/main.js --model lgbm|clip`: one model actor process. SIGTERM/SIGINT stop it
 * gracefully (exit 0); a model that cannot be loaded exits 1 with the reason.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.interruptBudget > 0) setFlagsFromString(`--interrupt-budget=${config.interruptBudget}`); // see config.ts
  const logger = createServiceLogger({
    service: 'actor',
    level: config.logLevel,
    bindings: { model: config.model, actorId: config.actorId },
    destination: logDestination(`actor-${config.model}.log`, config.logDir), // every actor of a type shares its file
  });
  process.on('unhandledRejection', (reason) => logger.error({ reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });

  // Still starting (loading the model, or waiting for Redis): nothing is handed over yet, so leave
  // at once instead of ignoring the signal until startup completes.
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stop requested while starting; exiting');
    process.exit(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  disableDecodeCache(); // uploads never repeat: libvips' cache never hits (figures in imaging's process-settings.ts)
  let actor;
  try {
    actor = await startActor(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'actor failed to start');
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'actor stopping');
    // Whatever hangs (e.g. Redis gone for good), the process still ends.
    setTimeout(() => {
      logger.error('actor did not stop in time; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 5000).unref();
    actor.close().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err: err.message }, 'actor stopped with an error');
        process.exit(1);
      },
    );
  };
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('SIGINT', onSignal);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main().catch((err: Error) => {
  // configuration errors: no logger configured yet
  process.stderr.write(`actor: ${err.message}\n`);
  process.exit(1);
});
