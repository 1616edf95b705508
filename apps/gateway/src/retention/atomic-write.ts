import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Name prefix of in-progress files: never a finished record, removed by the pruner when old. */
export const TEMP_PREFIX = '.tmp-';

/**
 * Writes a file so that readers (and a crash) only ever see nothing or the whole file: the bytes go
 * to a temp file in the same directory, are fsynced, then renamed over the final name (atomic on
 * POSIX within one filesystem). The directory is fsynced by the caller once per record (syncDir),
 * which makes the renames themselves durable. Kept here rather than in a dependency because that
 * directory fsync is the part the common helpers leave out.
 */
export async function writeFileAtomic(path: string, data: Buffer | string, mode = 0o640): Promise<void> {
  const tmp = join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** fsync a directory, so the names created in it survive a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
