import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free now and that no outgoing connection will take.
 *
 * Letting the OS pick (listen on port 0) hands out a port from the ephemeral range, the same range
 * the kernel draws the source ports of outgoing connections from. Between the moment a test learns
 * the port and the moment its service binds it, a Redis or HTTP client started in between can
 * hold it as its source port for as long as it stays connected; CI saw a gateway fail to bind for
 * two minutes that way (EADDRINUSE). So ports come from below the ephemeral range, from a slice of
 * it owned by this jest worker (no two workers draw the same port), each checked by binding it.
 */
export async function freePort(): Promise<number> {
  const { low, high } = workerSlice();
  const span = high - low;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = low + ((start + i) % span);
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}-${high - 1}`);
}

const handedOut = new Set<number>();

/** The first port of the kernel's ephemeral range (Linux), 32768 when it cannot be read. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const FIRST = 10000;
const SLICES = 16;

function workerSlice(): { low: number; high: number } {
  const size = Math.floor((ephemeralLow() - FIRST) / SLICES);
  const worker = (Number(process.env.JEST_WORKER_ID ?? 1) - 1) % SLICES;
  const low = FIRST + worker * size;
  return { low, high: low + size };
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
