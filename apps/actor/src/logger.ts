import { join } from 'node:path';
import pino, { DestinationStream, Logger } from 'pino';

export type { Logger };

/**
 * JSON lines to stdout (asynchronous: lines written while a write is in flight go out together,
 * and pino flushes what is left when the process exits) and, with LOG_DIR, appended to
 * LOG_DIR/<file> as well (every actor of a model type shares its file; each line is one write).
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, toFile?: { dir: string; file: string }): Logger {
  const stdout = pino.destination({ dest: 1, sync: false });
  let dest: DestinationStream = stdout;
  if (toFile) {
    const file = pino.destination({ dest: join(toFile.dir, toFile.file), mkdir: true, append: true, sync: false });
    dest = pino.multistream([
      { stream: stdout, level: 'trace' },
      { stream: file, level: 'trace' },
    ]);
  }
  return pino({ level, base: { service: 'actor', pid: process.pid, ...bindings } }, dest);
}
