import { join } from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { DestinationStream, Logger };

export interface ServiceLoggerOptions {
  /** Written on every line as `service`, so one `npm start` log reads as one stream. */
  service: string;
  level: string;
  /** More fields on every line (role, model, actor id, ...). */
  bindings?: Record<string, unknown>;
  /** Where lines go; pino's synchronous stdout when not given (see logDestination for files). */
  destination?: DestinationStream;
  /** Paths that never reach a line (credentials). */
  redact?: string[];
}

/** One JSON line per event, with the service name and pid on each. */
export function createServiceLogger(opts: ServiceLoggerOptions): Logger {
  const options = {
    level: opts.level,
    base: { service: opts.service, pid: process.pid, ...opts.bindings },
    ...(opts.redact && { redact: { paths: opts.redact, censor: '[redacted]' } }),
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/**
 * Stdout always (asynchronous: lines written while a write is in flight go out together, and pino
 * flushes the rest at exit) and, when `logDir` is set, also appended to `logDir/<file>`. Every
 * process of a service appends to the same file; each line is one write.
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
