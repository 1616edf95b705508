/** Number formatting for the result panel. */

/** A probability in [0, 1] as a whole percentage; never shows 0 % or 100 % for a value that is not exactly that. */
export function formatPercent(p: number): string {
  const pct = p * 100;
  if (pct > 0 && pct < 1) return '<1%';
  if (pct > 99 && pct < 100) return '>99%';
  return `${Math.round(pct)}%`;
}

/** Seconds (as the API reports them) in ms below one second, else seconds with two decimals. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.max(1, Math.round(seconds * 1000))} ms`;
  return `${seconds.toFixed(2)} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
