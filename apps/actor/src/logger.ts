import pino, { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  // Asynchronous stdout: under load, lines written while a write is in flight go out together
  // (one syscall, not one per line); pino flushes what is left when the process exits.
  return pino({ level, base: { service: 'actor', pid: process.pid, ...bindings } }, pino.destination({ dest: 1, sync: false }));
}
