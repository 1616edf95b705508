#!/usr/bin/env node
/**
 * node bench/load/profile-summary.mjs DIR [top]
 * Summarises the .cpuprofile files of a run made with
 *   npm run bench:load -- --env NODE_OPTIONS=--cpu-prof --env NODE_OPTIONS_DIR=... (see bench/README.md)
 * per process: total sampled time, and the functions with the most self time (by package).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: profile-summary.mjs DIR [top]');
const top = Number(topArg ?? 15);

for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const byPackage = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    const url = n.callFrame.url;
    const where = url ? url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(apps|packages)\//, '$1/') : '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = !url ? n.callFrame.functionName : url.includes('node_modules/') ? url.split('node_modules/')[1].split('/').slice(0, url.includes('node_modules/@') ? 2 : 1).join('/') : url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : /\/(apps|packages)\/([^/]+)/.exec(url)?.slice(1).join('/') ?? url;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    total += dt;
  });
  const busy = total - (byPackage.get('(idle)') ?? 0);
  console.log(`\n== ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle`);
  const line = ([k, t]) => `  ${((t / busy) * 100).toFixed(1).padStart(5)} %  ${(t / 1000).toFixed(0).padStart(6)} ms  ${k}`;
  console.log(' by package / area:');
  [...byPackage].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 12).forEach((e) => console.log(line(e)));
  console.log(' by function (self time):');
  [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top).forEach((e) => console.log(line(e)));
}
