import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

/** The repository root; workspace packages and their dependencies resolve from here. */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const requireFromRoot = createRequire(join(ROOT, 'package.json'));
