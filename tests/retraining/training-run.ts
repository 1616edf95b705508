import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@cataract/test-support/processes';
import { distinctEye } from '@cataract/test-support/distinct-eyes';
import { SHARED_PHOTOS_DIR, sharedPhotosAvailable, type EyeLabel } from '@cataract/test-support/photos';
import { readdirSync, readFileSync } from 'node:fs';

export interface LabelledPhoto {
  label: EyeLabel;
  bytes: Buffer;
}

/**
 * The cycle's photos: `train` per class form the labelled training folder (DIR/{cataract,normal},
 * symlinks to ../shared's photos, read in place, never copied; rendered eyes (distinctEye) when
 * ../shared is absent) and `upload` per class other photos the clinics send and a clinician then reviews.
 */
export async function cyclePhotos(dataDir: string, train: number, upload: number): Promise<{ source: 'shared' | 'synthetic'; uploads: LabelledPhoto[] }> {
  const uploads: LabelledPhoto[] = [];
  const shared = sharedPhotosAvailable();
  for (const label of ['cataract', 'normal'] as const) {
    const dir = join(dataDir, label);
    mkdirSync(dir, { recursive: true });
    if (shared) {
      const names = readdirSync(join(SHARED_PHOTOS_DIR, label)).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort();
      for (const f of names.slice(0, train)) symlinkSync(join(SHARED_PHOTOS_DIR, label, f), join(dir, f));
      for (const f of names.slice(train, train + upload)) uploads.push({ label, bytes: readFileSync(join(SHARED_PHOTOS_DIR, label, f)) });
    } else {
      for (let i = 0; i < train; i++) writeFileSync(join(dir, `eye-${i}.jpg`), await distinctEye(label, 1000 + i));
      for (let i = 0; i < upload; i++) uploads.push({ label, bytes: await distinctEye(label, 2000 + i) });
    }
  }
  return { source: shared ? 'shared' : 'synthetic', uploads };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run train:lgbm -- ARGS` (the built tools/dist/train-lgbm.js), asynchronously so the test's load keeps running. */
export function trainLgbm(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO_ROOT, 'tools', 'dist', 'train-lgbm.js'), ...args], { timeout: 300_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
