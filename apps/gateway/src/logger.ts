import pino, { Logger } from 'pino';

export type { Logger };

/** One JSON line per event; every request-scoped line carries the request id (see middleware/http-logger). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  // Asynchronous stdout: under load, lines written while a write is in flight go out together
  // (one syscall, not one per line); pino flushes what is left when the process exits.
  return pino({ level, base: { service: 'gateway', pid: process.pid, ...bindings } }, pino.destination({ dest: 1, sync: false }));
}
