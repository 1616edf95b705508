import pino, { type Logger } from 'pino';

/** JSON lines on stdout, like the children's, so one `npm start` log reads as one stream. */
export function createLogger(level = 'info'): Logger {
  return pino({ name: 'supervisor', level });
}
