import pino, { Logger } from 'pino';

export type { Logger };

/** One JSON line per event; every request-scoped line carries the request id (see middleware/http-logger). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { service: 'gateway', pid: process.pid, ...bindings } });
}
