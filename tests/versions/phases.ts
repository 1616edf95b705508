import type { Sample } from '@cataract/test-support/load';

/**
 * What the answers must say between state changes. A phase starts when the command that made its
 * state returned (every live actor had reported it) and ends when the next command started; a
 * request sent and answered inside a phase must name one of its versions. A request that overlaps a
 * command (it was in flight at the switch) may name a version of either side.
 */
export interface Phase {
  name: string;
  from: number;
  to: number;
  versions: readonly string[];
}

export function versionViolations(samples: readonly Sample[], phases: readonly Phase[]): string[] {
  const out: string[] = [];
  for (const s of samples) {
    if (s.status !== 200) continue;
    const inside = phases.find((p) => s.start >= p.from && s.end <= p.to);
    if (inside) {
      if (!inside.versions.includes(s.modelVersion ?? '')) out.push(`${inside.name}: answered by ${s.modelVersion} (sent ${s.start}, answered ${s.end})`);
      continue;
    }
    const touching = phases.filter((p) => s.end >= p.from && s.start <= p.to);
    const allowed = new Set([...touching.flatMap((p) => p.versions)]);
    // A request spanning a command may also have started before its phase list (the gap between phases).
    const before = phases.filter((p) => p.to <= s.start).pop();
    const after = phases.find((p) => p.from >= s.end);
    for (const p of [before, after]) p?.versions.forEach((v) => allowed.add(v));
    if (!allowed.has(s.modelVersion ?? '')) out.push(`across a switch: answered by ${s.modelVersion} (sent ${s.start}, answered ${s.end}; allowed ${[...allowed]})`);
  }
  return out;
}

export function inPhase(samples: readonly Sample[], p: Phase): Sample[] {
  return samples.filter((s) => s.status === 200 && s.start >= p.from && s.end <= p.to);
}
