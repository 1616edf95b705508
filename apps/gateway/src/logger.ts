import { createServiceLogger, type DestinationStream, logDestination, type Logger } from '@cataract/service-kit';

export type { Logger };

/** Credentials never reach a log line, whatever a serializer or a careless call passes along. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
];

/**
 * One JSON line per event; every request-scoped line carries the request id (see
 * http/middleware/http-logger.ts). Lines go to stdout and, with LOG_DIR, to LOG_DIR/gateway.log too.
 * Credentials are redacted wherever a line would carry request headers. `destination` replaces
 * those outputs (the warm-up writes the same lines to /dev/null).
 */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  logDir?: string,
  destination: DestinationStream = logDestination('gateway.log', logDir),
): Logger {
  return createServiceLogger({ service: 'gateway', level, bindings, destination, redact: REDACT_PATHS });
}
