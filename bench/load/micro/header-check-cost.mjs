#!/usr/bin/env node
/**
 * node bench/load/micro/header-check-cost.mjs [photo]
 *
 * CPU per call (all threads, median of 6 rounds of 300) of imaging's probeImage (sharp metadata()
 * in the thread pool) and checkImageHeader (the same contract read in JS), on one photo
 * (default ../shared/data/cataract/train/cataract/image_139.jpg). Needs `npx tsc -b packages/imaging`.
 */
import { readFileSync } from 'node:fs';
import { requireFromRoot } from '../lib/root.mjs';
import { GOAL_PHOTO } from '../lib/photos.mjs';

const imaging = requireFromRoot('@cataract/imaging');
const buf = readFileSync(process.argv[2] ?? GOAL_PHOTO);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const runs = { probeImage: [], checkImageHeader: [] };
for (let round = 0; round < 6; round++) {
  let t = cpuMs();
  for (let i = 0; i < 300; i++) await imaging.probeImage(buf);
  runs.probeImage.push((cpuMs() - t) / 300);
  t = cpuMs();
  for (let i = 0; i < 300; i++) imaging.checkImageHeader(buf);
  runs.checkImageHeader.push((cpuMs() - t) / 300);
}
for (const [name, xs] of Object.entries(runs)) console.log(`${name}: ${xs.sort((a, b) => a - b)[3].toFixed(4)} ms of CPU per call`);
