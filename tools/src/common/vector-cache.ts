/**
 * Optional on-disk cache of computed vectors (e.g. image features) keyed by a caller-built string
 * (content hash + transform + feature-set version), so iterating on training parameters does not
 * re-decode every photo. A cache miss or a corrupt entry simply recomputes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export class VectorCache {
  constructor(private readonly dir: string | undefined) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  private file(key: string): string {
    return path.join(this.dir!, createHash('sha256').update(key).digest('hex') + '.bin');
  }

  get(key: string, length: number): Float64Array | undefined {
    if (!this.dir) return undefined;
    try {
      const buf = readFileSync(this.file(key));
      if (buf.byteLength !== length * 8) return undefined;
      return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    } catch {
      return undefined;
    }
  }

  set(key: string, v: Float64Array): void {
    if (!this.dir) return;
    const f = this.file(key);
    const tmp = `${f}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
    renameSync(tmp, f);
  }

  async getOrCompute(key: string, length: number, compute: () => Promise<Float64Array>): Promise<Float64Array> {
    const hit = this.get(key, length);
    if (hit) return hit;
    const v = await compute();
    this.set(key, v);
    return v;
  }
}
