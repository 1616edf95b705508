/**
 * Publishing a trained version into the versioned store (MODELS_DIR/<type>/<version>/, layout in
 * packages/model-store/src/layout.ts). A version is immutable once published: the store refuses a
 * folder whose files differ from its manifest, so publishing never writes into an existing version
 * folder. The candidate is checked as the actors will check it (verifyCandidate), copied beside the
 * store under a dot-name no listing reads, and renamed into place in one step: a reader sees no
 * version or the whole version, and a rename onto an existing (non-empty) version folder fails
 * instead of replacing it. `<type>/default` changes only when asked, since it names what serves
 * when Redis holds no state: a new version normally goes out by `npm run models -- shadow/promote`.
 */
import { chmod, cp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_FILE, MANIFEST_FILE, verifyCandidate, verifyVersion } from '@cataract/model-store';
import { sha256File } from '../common/manifest';

export type PublishErrorCode = 'already_published' | 'invalid_candidate';

export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly code: PublishErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const exists = async (p: string) => stat(p).then(
  () => true,
  () => false,
);

/**
 * Writes DIR/manifest.json from `manifest` with `files` = the sha256 of every file in DIR (dot files
 * and the manifest itself excepted) and `sha256` = the model file's, so the store can check each.
 */
export async function sealVersion(dir: string, manifest: Record<string, unknown> & { file: string }): Promise<Record<string, unknown>> {
  const names = (await readdir(dir)).filter((f) => f !== MANIFEST_FILE && !f.startsWith('.')).sort();
  const files: Record<string, string> = {};
  for (const f of names) files[f] = await sha256File(path.join(dir, f));
  if (!files[manifest.file]) throw new PublishError('invalid_candidate', `${dir}: the model file ${manifest.file} is missing`);
  const sealed = { ...manifest, sha256: files[manifest.file], files };
  const target = path.join(dir, MANIFEST_FILE);
  await writeFile(`${target}.tmp`, JSON.stringify(sealed, null, 2) + '\n');
  await rename(`${target}.tmp`, target);
  return sealed;
}

async function writeDefault(typeDir: string, version: string): Promise<void> {
  const file = path.join(typeDir, DEFAULT_FILE);
  await writeFile(`${file}.${process.pid}.tmp`, `${version}\n`);
  await rename(`${file}.${process.pid}.tmp`, file);
}

export interface Published {
  type: string;
  version: string;
  dir: string;
  setDefault: boolean;
}

/**
 * Publishes the candidate folder `stagedDir` (its name is the version) into `modelsDir`. Refuses
 * (PublishError) a candidate the store would refuse, one whose manifest lists no `files`, and a
 * version already in the store, whatever its content.
 */
export async function publishVersion(modelsDir: string, stagedDir: string, opts: { setDefault?: boolean } = {}): Promise<Published> {
  let candidate;
  try {
    candidate = await verifyCandidate(stagedDir);
  } catch (err) {
    throw new PublishError('invalid_candidate', `${stagedDir}: ${(err as Error).message}`, { cause: err });
  }
  const { type, version } = candidate.location;
  if (!candidate.manifest.files) throw new PublishError('invalid_candidate', `${stagedDir}: manifest.json lists no files{}: every file of a version needs its sha256`);
  const typeDir = path.join(modelsDir, type);
  const target = path.join(typeDir, version);
  if (await exists(target)) throw new PublishError('already_published', `${type} version ${version} is already in ${typeDir}: a published version never changes (a retrained model gets a new version)`);
  const tmp = path.join(typeDir, `.publishing-${version}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await cp(stagedDir, tmp, { recursive: true, errorOnExist: true, filter: (src) => !path.basename(src).startsWith('.') || src === stagedDir });
  for (const f of await readdir(tmp)) await chmod(path.join(tmp, f), 0o444);
  try {
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw new PublishError('already_published', `${type} version ${version} appeared in ${typeDir} while publishing: left as it is`, { cause: err });
    throw err;
  }
  try {
    await verifyVersion(modelsDir, type, version);
  } catch (err) {
    await rm(target, { recursive: true, force: true });
    throw new PublishError('invalid_candidate', `${target}: the published copy does not verify, removed: ${(err as Error).message}`, { cause: err });
  }
  if (opts.setDefault) await writeDefault(typeDir, version);
  return { type, version, dir: target, setDefault: Boolean(opts.setDefault) };
}

