/**
 * The client of ../shared/checks/throughput (lib/load.mjs) reproduced: fetch + a fresh FormData
 * per request in a closed loop, latencies of 200s only, p50/p99 by index. Heavier on the client
 * side than autocannon, which is why the bench reports both.
 */
export async function runFetchLoad({ url, photo, connections, seconds }) {
  const end = Date.now() + seconds * 1000;
  const lat = [];
  const failed = {};
  let ok = 0;
  const client = async () => {
    while (Date.now() < end) {
      const form = new FormData();
      form.append('file', new Blob([photo]), 'image_139.jpg');
      const t0 = performance.now();
      try {
        const r = await fetch(url, { method: 'POST', body: form });
        await r.arrayBuffer();
        if (r.status === 200) {
          ok++;
          lat.push(performance.now() - t0);
        } else failed[r.status] = (failed[r.status] ?? 0) + 1;
      } catch (e) {
        const k = e.cause?.code ?? 'net';
        failed[k] = (failed[k] ?? 0) + 1;
      }
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: connections }, client));
  lat.sort((a, b) => a - b);
  const q = (p) => Math.round(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? -1);
  return { connections, ok, failed, rps: +(ok / ((Date.now() - t0) / 1000)).toFixed(1), p50_ms: q(0.5), p99_ms: q(0.99) };
}
