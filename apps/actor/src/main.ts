import { loadConfig } from './config';
import { createLogger } from './logger';
import { startActor } from './actor';

/**
 * `node apps/actor/dist/main.js --model lgbm|clip`: one model actor process. SIGTERM/SIGINT stop it
 * gracefully (exit 0); a model that cannot be loaded exits 1 with the reason.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, { model: config.model, actorId: config.actorId });
  process.on('unhandledRejection', (reason) => logger.error({ reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });

  let stopRequested: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    stopRequested ??= signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

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
  if (stopRequested) stop(stopRequested); // a signal that arrived while the model was loading
}

void main().catch((err: Error) => {
  // configuration errors: no logger configured yet
  process.stderr.write(`actor: ${err.message}\n`);
  process.exit(1);
});
