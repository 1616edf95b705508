import path from 'node:path';

/**
 * Helper programs the supervisor runs as separate processes. They must be compiled JS even when
 * this module itself runs from src/ under ts-jest, so they are always taken from dist/.
 */
const distDir = path.extname(__filename) === '.ts' ? path.resolve(__dirname, '..', 'dist') : __dirname;

export const ORPHAN_GUARD_SCRIPT = path.join(distDir, 'orphan-guard.js');
export const PARENT_WATCH_PRELOAD = path.join(distDir, 'preload-parent-watch.js');
