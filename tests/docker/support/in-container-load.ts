import { spawn } from 'node:child_process';
import { docker, DOCKER } from './docker';

/**
 * Closed-loop uploads to 127.0.0.1:8001 from inside a container (a swarm publishes ports on every
 * interface, so the suite publishes none there): `concurrency` loops POST the photo until the file
 * /tmp/stop-load exists, then print {ok, failed: {status|error: n}}.
 */
const SCRIPT = `
const fs = require('fs');
const photo = fs.readFileSync(0);
const out = { ok: 0, failed: {} };
const stop = () => fs.existsSync('/tmp/stop-load');
async function loop() {
  while (!stop()) {
    const form = new FormData();
    form.append('file', new Blob([photo]), 'eye.jpg');
    try {
      const r = await fetch('http://127.0.0.1:8001' + process.argv[1], { method: 'POST', body: form, signal: AbortSignal.timeout(30000) });
      await r.arrayBuffer();
      if (r.status === 200) out.ok++; else out.failed[r.status] = (out.failed[r.status] || 0) + 1;
    } catch (e) { out.failed[e.name] = (out.failed[e.name] || 0) + 1; }
  }
}
Promise.all(Array.from({ length: Number(process.argv[2]) }, loop)).then(() => console.log(JSON.stringify(out)));
`;

export interface InContainerLoad {
  stop(): Promise<{ ok: number; failed: Record<string, number> }>;
}

export async function startInContainerLoad(container: string, route: string, photo: Buffer, concurrency: number): Promise<InContainerLoad> {
  await docker(['exec', container, 'rm', '-f', '/tmp/stop-load']);
  const child = spawn(DOCKER, ['exec', '-i', container, 'node', '-e', SCRIPT, route, String(concurrency)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdin.end(photo);
  return {
    async stop() {
      await docker(['exec', container, 'touch', '/tmp/stop-load']);
      const code = await exited;
      if (code !== 0) throw new Error(`in-container load exited ${code}: ${stderr.slice(-500)}`);
      return JSON.parse(stdout.trim().split('\n').pop()!) as { ok: number; failed: Record<string, number> };
    },
  };
}
