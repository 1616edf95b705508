import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import pino from 'pino';
import { whenReady } from '@cataract/service-kit';
import { GatewayConfig, loadConfig } from '../src/config';
import type { GatewayServices } from '../src/process/worker-services';

export const silentLogger = pino({ level: 'silent' });

const tempDirs: string[] = [];
// Registered at the top level of whichever test file imports this module: its dirs go when it ends.
afterAll(() => tempDirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A config as the environment would give it, pointing at temp dirs (removed at exit) unless overridden. */
export function testConfig(env: Record<string, string>): GatewayConfig {
  const tmp = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  tempDirs.push(tmp);
  return loadConfig({ MODELS_DIR: join(tmp, 'models'), WEB_DIST_DIR: join(tmp, 'web'), SERVED_MODELS: 'lgbm', ...env });
}

/**
 * Until the services can take requests: the reply channel subscribed (`svc.ready`) and the
 * request-path connection ready too. That connection has no offline queue, so a command sent while
 * it is still connecting fails ("Stream isn't writeable") instead of waiting.
 */
export async function servicesReady(svc: GatewayServices): Promise<void> {
  await Promise.all([svc.ready, whenReady(svc.redis)]);
}

/** A valid PNG header + tiny IDAT declaring width x height 1-bit pixels: a decompression bomb when large. */
export function pngBomb(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(tb));
    return Buffer.concat([len, tb, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  // only the first rows are present: the header alone must be enough to refuse it
  const rows = Buffer.alloc(Math.min(height, 64) * (1 + Math.ceil(width / 8)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
