import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

/**
 * CPUs this process may use: the CPUs it may run on (availableParallelism: affinity, cpuset),
 * further bounded by a CFS quota (`docker run --cpus=2.0`, a Kubernetes limit), which Node does
 * not read. A quota of 1.5 CPUs counts as 2 (rounded up), never less than 1.
 */
export function usableCpus(cgroupRoot = '/sys/fs/cgroup', cpus = availableParallelism()): number {
  const quota = cfsQuota(cgroupRoot);
  return quota === undefined ? cpus : Math.max(1, Math.min(cpus, Math.ceil(quota)));
}

/** The CFS quota in CPUs (quota / period), or undefined when there is none (or no cgroup files). */
export function cfsQuota(cgroupRoot: string): number | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(path.join(cgroupRoot, file), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const ratio = (quota: number, period: number) => (quota > 0 && period > 0 ? quota / period : undefined);
  // cgroup v2: "<quota> <period>" or "max <period>"
  const v2 = read('cpu.max');
  if (v2 !== undefined) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' ? undefined : ratio(Number(quota), Number(period));
  }
  // cgroup v1: quota -1 means none
  for (const dir of ['cpu', 'cpu,cpuacct']) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota !== undefined && period !== undefined) return ratio(Number(quota), Number(period));
  }
  return undefined;
}
