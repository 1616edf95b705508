import { requireFromRoot } from './root.mjs';

const autocannon = requireFromRoot('autocannon');

const BOUNDARY = '----bench-load-3f9a1c';

/** One multipart/form-data body per photo, built once: the client spends no CPU on encoding. */
export function multipartBodies(photos, field = 'file') {
  return photos.map((p, i) => {
    const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="photo-${i}${p.type === 'image/png' ? '.png' : '.jpg'}"\r\nContent-Type: ${p.type}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head), p.bytes, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
  });
}

/**
 * A closed loop of `connections` keep-alive clients (autocannon) POSTing the photos in turn for
 * `seconds` (with `rate`, at most that many requests per second in all). Latency percentiles are of
 * all answered requests; req/s counts 200s only.
 */
export async function runLoad({ url, bodies, connections, seconds, timeoutS = 30, rate }) {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    timeout: timeoutS,
    ...(rate && { overallRate: rate }),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    requests: bodies.map((body) => ({ body })),
  });
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count]));
  const ok = statuses['200'] ?? 0;
  // What the errors were: one request replayed after the run (autocannon keeps no bodies).
  const sampleError = Object.keys(statuses).some((c) => c !== '200') ? await replayOne(url, bodies[0]) : undefined;
  return {
    connections,
    seconds: r.duration,
    ok,
    rps: +(ok / r.duration).toFixed(1),
    p50_ms: r.latency.p50,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    errors: r.errors,
    timeouts: r.timeouts,
    non_200: Object.fromEntries(Object.entries(statuses).filter(([c]) => c !== '200')),
    ...(sampleError && { sample_error: sampleError }),
  };
}

async function replayOne(url, body) {
  try {
    const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    return `${r.status} ${(await r.text()).slice(0, 200)}`;
  } catch (err) {
    return String(err);
  }
}
