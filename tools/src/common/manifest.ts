/** Model manifest helpers (format: see the manifest contract; the actor verifies sha256 at load). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')));
  });
}

export function sha256Buffer(buf: Buffer | string): string {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * Writes DIR/manifest.json (pretty JSON + newline). Written to a temp file then renamed so a reader
 * (e.g. a running actor) never sees a half-written manifest.
 */
export async function writeManifest(dir: string, manifest: object): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, file);
  return file;
}

/** Same atomic write for the model file itself. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** `<name>-YYYYMMDD-<first 8 hex of sha256>` as the manifest contract suggests. */
export function modelVersion(name: string, sha256: string, date = new Date()): string {
  const d = date.toISOString().slice(0, 10).replace(/-/g, '');
  return `${name}-${d}-${sha256.slice(0, 8)}`;
}
