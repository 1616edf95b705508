import { join } from 'node:path';
import pino, { DestinationStream } from 'pino';

/**
 * Where log lines go: stdout always (asynchronous: lines written while a write is in flight go out
 * together, and pino flushes the rest at exit) and, when LOG_DIR is set, also appended to
 * LOG_DIR/<file>. Every process of a service appends to the same file; each line is one write.
 */
export function logDestination(file: string, logDir: string | undefined): DestinationStream {
  const stdout = pino.destination({ dest: 1, sync: false });
  if (!logDir) return stdout;
  const toFile = pino.destination({ dest: join(logDir, file), mkdir: true, append: true, sync: false });
  return pino.multistream([
    { stream: stdout, level: 'trace' },
    { stream: toFile, level: 'trace' },
  ]);
}

/** Credentials never reach a log line, whatever a serializer or a careless call passes along. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
];
