import pino, { DestinationStream, Logger } from 'pino';
import { logDestination, REDACT_PATHS } from './observability/log-destination';

export type { Logger };

/**
 * One JSON line per event; every request-scoped line carries the request id (see
 * middleware/http-logger). Lines go to stdout and, with LOG_DIR, to LOG_DIR/gateway.log too.
 * Credentials are redacted wherever a line would carry request headers. `destination` replaces
 * those outputs (the warm-up writes the same lines to /dev/null).
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  logDir?: string,
  destination: DestinationStream = logDestination('gateway.log', logDir),
): Logger {
  return pino(
    { level, base: { service: 'gateway', pid: process.pid, ...bindings }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    destination,
  );
}
