/**
 * Calls `onOrphaned` once when this process's parent has died. On Linux and macOS an orphan is
 * re-parented (to init or a subreaper), so its ppid changes; polling it needs no native code,
 * unlike prctl(PR_SET_PDEATHSIG). The timer is unref'd: it never keeps a process alive.
 */
export function watchParentDeath(onOrphaned: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onOrphaned();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
