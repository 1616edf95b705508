import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths';

/** Name and version of the product, from the repository's package.json. */
export function readAbout(): { name: string; version: string; description: string } {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, string>;
    return { name: pkg.name ?? 'cataract-cluster', version: pkg.version ?? '0.0.0', description: pkg.description ?? '' };
  } catch {
    return { name: 'cataract-cluster', version: '0.0.0', description: '' };
  }
}
