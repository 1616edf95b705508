import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';

/**
 * A closed-loop multipart upload client for fault and load tests: `concurrency` clients each POST
 * one photo, wait for the whole answer, and POST the next, until the run ends. Every request is
 * recorded (status or network error, latency, the client socket's local port), so a test can count
 * every outcome and tie a failure to the moment (and the socket) it happened on.
 */
export interface LoadOptions {
  /** e.g. http://127.0.0.1:8001 */
  base: string;
  /** e.g. /predict_lgbm */
  path: string;
  /** Encoded images, sent round-robin. */
  photos: readonly Buffer[];
  concurrency: number;
  /** The run ends this long after it starts (requests in flight then still finish), unless stop() ends it sooner. */
  durationMs: number;
  /** A request still unanswered after this is aborted and recorded as CLIENT_TIMEOUT (a hang). */
  clientTimeoutMs: number;
  /** Multipart field name (the API accepts `file` and `image`). */
  field?: string;
  headers?: Record<string, string>;
  /** Free-form tag copied into every sample (handy when several loads run at once). */
  label?: string;
}

export interface Sample {
  label?: string;
  client: number;
  /** Epoch ms when the request was sent and when its answer (or error) was complete. */
  start: number;
  end: number;
  latencyMs: number;
  /** HTTP status, or null when no response arrived (connection error or client timeout). */
  status: number | null;
  /** API error code (`error.code` of a JSON error body), or the network error's code (ECONNRESET, CLIENT_TIMEOUT...). */
  code?: string;
  retryAfter?: string;
  /** actor_id of a 200 answer. */
  actorId?: string;
  /** model_version of a 200 answer. */
  modelVersion?: string;
  /** Client-side port of the TCP connection the request used (ties it to the server process that held the socket). */
  localPort?: number;
}

export interface LoadSummary {
  total: number;
  ok: number;
  /** Count per HTTP status, plus per network error code for requests that got no response. */
  byOutcome: Record<string, number>;
  /** Non-200 answers by status and API error code, e.g. "503 no_actor". */
  errorCodes: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadRun {
  /** Resolves once the run has ended and every request in flight has finished. */
  readonly done: Promise<Sample[]>;
  /** Samples completed so far. */
  readonly samples: readonly Sample[];
  /** End the run now (requests in flight still finish). */
  stop(): void;
  /** Requests sent but not yet answered. */
  inFlight(): number;
}

const CRLF = '\r\n';

/** One multipart/form-data body per photo, built once (the client must stay cheap next to the server it loads). */
function multipartBodies(photos: readonly Buffer[], field: string): { boundary: string; bodies: Buffer[] } {
  const boundary = `----cataract-load-${randomBytes(8).toString('hex')}`;
  const bodies = photos.map((bytes, i) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}${CRLF}Content-Disposition: form-data; name="${field}"; filename="photo-${i}.jpg"${CRLF}` +
          `Content-Type: application/octet-stream${CRLF}${CRLF}`,
      ),
      bytes,
      Buffer.from(`${CRLF}--${boundary}--${CRLF}`),
    ]),
  );
  return { boundary, bodies };
}

export function startLoad(opts: LoadOptions): LoadRun {
  if (opts.photos.length === 0) throw new Error('startLoad needs at least one photo');
  const { boundary, bodies } = multipartBodies(opts.photos, opts.field ?? 'file');
  const url = new URL(opts.path, opts.base);
  // One keep-alive connection per client at most, as a pool of real clients would hold.
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const samples: Sample[] = [];
  let stopped = false;
  let pending = 0;
  let next = 0;
  const endAt = Date.now() + opts.durationMs;
  const timer = setTimeout(() => (stopped = true), opts.durationMs);

  const once = (client: number): Promise<Sample> =>
    new Promise((resolve) => {
      const body = bodies[next++ % bodies.length];
      const start = Date.now();
      const t0 = performance.now();
      let localPort: number | undefined;
      let settled = false;
      const finish = (s: Omit<Sample, 'client' | 'start' | 'end' | 'latencyMs' | 'localPort' | 'label'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ label: opts.label, client, start, end: Date.now(), latencyMs: Math.round(performance.now() - t0), localPort, ...s });
      };
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length, ...opts.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, code: err.code ?? 'RESPONSE_ERROR' }));
          res.on('end', () => {
            let parsed: { error?: { code?: string }; actor_id?: string; model_version?: string } | undefined;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            const retryAfter = res.headers['retry-after'];
            finish({
              status: res.statusCode ?? null,
              code: parsed?.error?.code,
              retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
              actorId: res.statusCode === 200 ? parsed?.actor_id : undefined,
              modelVersion: res.statusCode === 200 ? parsed?.model_version : undefined,
            });
          });
        },
      );
      req.on('socket', (socket) => {
        if (socket.localPort !== undefined) localPort = socket.localPort;
        else socket.once('connect', () => (localPort = socket.localPort));
      });
      req.on('error', (err: NodeJS.ErrnoException) => finish({ status: null, code: err.code ?? err.message }));
      const deadline = setTimeout(() => {
        finish({ status: null, code: 'CLIENT_TIMEOUT' });
        req.destroy();
      }, opts.clientTimeoutMs);
      req.end(body);
    });

  const client = async (id: number) => {
    while (!stopped && Date.now() < endAt) {
      pending++;
      const s = await once(id);
      pending--;
      samples.push(s);
    }
  };

  const done = Promise.all(Array.from({ length: opts.concurrency }, (_, i) => client(i))).then(() => {
    clearTimeout(timer);
    agent.destroy();
    return samples;
  });
  return {
    done,
    samples,
    stop: () => {
      stopped = true;
    },
    inFlight: () => pending,
  };
}

/** Counts and latency quantiles of a set of samples. */
export function summarize(samples: readonly Sample[]): LoadSummary {
  const byOutcome: Record<string, number> = {};
  const errorCodes: Record<string, number> = {};
  for (const s of samples) {
    const k = s.status === null ? String(s.code) : String(s.status);
    byOutcome[k] = (byOutcome[k] ?? 0) + 1;
    if (s.status !== null && s.status !== 200) errorCodes[`${s.status} ${s.code}`] = (errorCodes[`${s.status} ${s.code}`] ?? 0) + 1;
  }
  const lat = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const q = (p: number) => (lat.length === 0 ? 0 : lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]);
  return {
    total: samples.length,
    ok: samples.filter((s) => s.status === 200).length,
    byOutcome,
    errorCodes,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: lat.length === 0 ? 0 : lat[lat.length - 1],
  };
}
