import { resolve } from 'node:path';

/** Repository root: this file runs from apps/actor/{src,dist}, both three levels below it. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
