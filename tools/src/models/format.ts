import type { ChangeReport, LabelAgreement, TypeListing } from '@cataract/model-store';

const pct = (a: LabelAgreement) => (a.agreement === null ? 'n/a' : `${(a.agreement * 100).toFixed(1)} %`);

/** `models list` as text: per type, what serves and why, the versions with their roles, the actors. */
export function formatListing(types: TypeListing[]): string {
  if (types.length === 0) return 'no model in MODELS_DIR';
  const lines: string[] = [];
  for (const t of types) {
    lines.push(`${t.type}: serving ${t.serving} (${t.source === 'redis' ? 'cluster state' : 'default, no state in Redis'})${t.previous ? `, previous ${t.previous}` : ''}`);
    if (t.canary) lines.push(`  canary: ${t.canary.version} answers ${t.canary.percent} %`);
    if (t.shadow) {
      const s = t.shadow;
      const labels = Object.entries(s.by_label).map(([l, a]) => `${l} ${pct(a)} of ${a.compared}`).join(', ');
      lines.push(`  shadow: ${s.version} agrees ${pct(s)} of ${s.compared} compared (${labels}); ${s.skipped} not copied (shadow busy)`);
    }
    lines.push('  versions:');
    for (const v of t.versions) lines.push(`    ${v.version.padEnd(34)} ${(v.created ?? '').padEnd(26)} ${v.roles.join(', ')}`);
    lines.push(`  actors (${t.actors.length}):`);
    for (const a of t.actors) {
      const failed = a.failed ? `  refused: ${Object.entries(a.failed).map(([v, why]) => `${v} (${why})`).join('; ')}` : '';
      lines.push(`    ${a.id.padEnd(34)} serving ${a.serving ?? '?'}, loaded ${a.loaded.join(', ')}${failed}`);
    }
  }
  return lines.join('\n');
}

export function formatChange(what: string, r: ChangeReport): string {
  const s = r.state;
  const state = [`serving ${s.serving}`, s.previous && `previous ${s.previous}`, s.canary && `canary ${s.canary.version} ${s.canary.percent} %`, s.shadow && `shadow ${s.shadow.version}`]
    .filter(Boolean)
    .join(', ');
  return `${what}. ${r.type} state revision ${s.revision}: ${state}. ${r.switched}/${r.actors} live actors switched.`;
}

export function formatValidation(d: { type: string; version: string; runtime: string; warmup: { runs: number; inputs: number; ms: number } }): string {
  return `${d.type} ${d.version} (${d.runtime}) is valid: manifest, sha256 of every file, feature set, ${d.warmup.inputs} warm-up predictions in ${d.warmup.ms} ms. Not published: copy the folder into MODELS_DIR/${d.type}/ and promote it.`;
}
