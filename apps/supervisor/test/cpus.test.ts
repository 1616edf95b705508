import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cfsQuota, usableCpus } from '../src/cpus';

describe('usableCpus: the CPU quota of a container bounds the count', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'supervisor-cgroup-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const put = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), `${text}\n`);
  };

  it('cgroup v2 cpu.max: `--cpus=2.0` on 8 CPUs gives 2, `--cpus=1.5` gives 2, `--cpus=0.5` gives 1', () => {
    put('cpu.max', '200000 100000');
    expect(usableCpus(root, 8)).toBe(2);
    put('cpu.max', '150000 100000');
    expect(usableCpus(root, 8)).toBe(2);
    put('cpu.max', '50000 100000');
    expect(usableCpus(root, 8)).toBe(1);
  });

  it('cgroup v2 without a quota ("max") and no cgroup files at all: the CPUs as given', () => {
    put('cpu.max', 'max 100000');
    expect(cfsQuota(root)).toBeUndefined();
    expect(usableCpus(root, 6)).toBe(6);
    expect(usableCpus(path.join(root, 'nothing-here'), 3)).toBe(3);
  });

  it('cgroup v1 cfs_quota_us / cfs_period_us (-1: none); never more than the CPUs as given', () => {
    put('cpu/cpu.cfs_quota_us', '300000');
    put('cpu/cpu.cfs_period_us', '100000');
    expect(cfsQuota(root)).toBe(3);
    expect(usableCpus(root, 8)).toBe(3);
    expect(usableCpus(root, 2)).toBe(2);
    put('cpu/cpu.cfs_quota_us', '-1');
    expect(usableCpus(root, 8)).toBe(8);
  });
});
