import pino from 'pino';
import { installSignalHandlers } from '../src/shutdown';

const log = pino({ level: 'silent' });

describe('installSignalHandlers', () => {
  let uninstall: (() => void) | undefined;
  afterEach(() => {
    uninstall?.();
    jest.useRealTimers();
  });

  const setup = (windowMs = 500) => {
    const calls: string[] = [];
    uninstall = installSignalHandlers(
      { graceful: (s) => calls.push(`graceful:${s}`), force: (s) => calls.push(`force:${s}`) },
      log,
      windowMs,
    );
    return calls;
  };
  const send = (signal: NodeJS.Signals) => process.emit(signal, signal);

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });

  it('the first signal starts the graceful shutdown', () => {
    const calls = setup();
    send('SIGTERM');
    expect(calls).toEqual(['graceful:SIGTERM']);
  });

  it('a copy of the same Ctrl-C forwarded by npm does not force', () => {
    const calls = setup();
    send('SIGINT');
    jest.setSystemTime(1_000_010);
    send('SIGINT');
    expect(calls).toEqual(['graceful:SIGINT']);
  });

  it('a second Ctrl-C after the window forces', () => {
    const calls = setup();
    send('SIGINT');
    jest.setSystemTime(1_002_000);
    send('SIGINT');
    expect(calls).toEqual(['graceful:SIGINT', 'force:SIGINT']);
  });

  it('repeated SIGTERMs never force', () => {
    const calls = setup();
    send('SIGTERM');
    jest.setSystemTime(1_005_000);
    send('SIGTERM');
    send('SIGHUP');
    expect(calls).toEqual(['graceful:SIGTERM']);
  });

  it('a Ctrl-C after a SIGTERM forces', () => {
    const calls = setup();
    send('SIGTERM');
    jest.setSystemTime(1_001_000);
    send('SIGINT');
    expect(calls).toEqual(['graceful:SIGTERM', 'force:SIGINT']);
  });
});
