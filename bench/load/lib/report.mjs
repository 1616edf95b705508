import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ROOT } from './root.mjs';

/**
 * bench/results/load-<date>[-label].json with everything measured, and the same run's tables in a
 * markdown file beside it (bench/results/load-<date>[-label].md).
 */
export function writeReport(result) {
  const name = `load-${stamp(result.date)}${result.label ? '-' + result.label.replace(/[^A-Za-z0-9_-]/g, '_') : ''}`;
  const json = writeResultFile(name, result);
  const md = json.replace(/\.json$/, '.md');
  writeFileSync(md, `# Load benchmark run\n\n${markdown(result, basename(json))}\n`);
  return [json, md];
}

/** bench/results/<name>.json holding `record`; returns its path. */
export function writeResultFile(name, record) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

/** An ISO date as a file-name stamp: 2026-11-27T04-52-20. */
export const stamp = (iso) => iso.replace(/[:.]/g, '-').slice(0, 19);

const f = (v, d = 1) => (v === undefined || v === null || Number.isNaN(v) ? '–' : typeof v === 'number' ? v.toFixed(d) : String(v));
const ms = (v) => (v === undefined ? '–' : Math.round(v));

function markdown(r, jsonPath) {
  const out = [];
  out.push(`Run ${r.date.slice(0, 16).replace('T', ' ')} UTC, \`${r.command}\`${r.label ? ` (${r.label})` : ''}, ${r.duration_s} s; full data in \`${jsonPath}\`.`);
  out.push(`Machine: ${r.machine.cores} x ${r.machine.cpu}, ${r.machine.memory_gb} GB, Node ${r.machine.node}; load average ${r.machine.load_average_at_start.join(' / ')} at start, ${r.machine.load_average_at_end.join(' / ')} at end (1/5/15 min; other work was running: compare ratios, not absolute figures).`);
  out.push(`Cluster: supervisor defaults${Object.keys(r.cluster_env).length ? ' with ' + Object.entries(r.cluster_env).map(([k, v]) => `\`${k}=${v}\``).join(' ') : ''}: ${r.cluster.gateway_processes - 1} gateway workers, actors ${JSON.stringify(r.cluster.actors)}. Client: ${r.settings.client}.`);
  out.push('');

  if (r.goal) {
    out.push(`### /predict_lgbm, 50 connections, image_139.jpg (58 KB): goal >= 150 req/s, >= 0.8x in-process, p99 <= 3x p50`);
    out.push('');
    out.push('| round | load | req/s | p50 ms | p99 ms | p99/p50 | in-process img/s | ratio | bare decode img/s | ratio | check client req/s (ratio to bare, p99/p50; its CPU per request) | queue wait p50 / processing p50 ms | CPU ms per request |');
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    r.goal.rounds.forEach((g, i) => {
      const a = g.autocannon;
      const c = g.check_client;
      const s = g.server_split;
      const cpu = g.cpu_ms_per_request ? Object.entries(g.cpu_ms_per_request).filter(([, v]) => v > 0.05).map(([k, v]) => `${k} ${f(v)}`).join(', ') : '–';
      const clientCpu = c.cpu_ms_per_request?.bench_client;
      out.push(`| ${i + 1} | ${f(g.load_average, 2)} | ${f(a.rps)} | ${ms(a.p50_ms)} | ${ms(a.p99_ms)} | ${f(a.p99_over_p50, 2)} | ${f(g.lgbm_in_process_img_per_s)} | **${f(a.ratio_to_in_process, 2)}** | ${f(g.bare_decode_img_per_s)} | ${f(a.ratio_to_bare_decode, 2)} | ${f(c.rps)} (${f(c.ratio_to_bare_decode, 2)}, ${f(c.p99_over_p50, 2)}${clientCpu !== undefined ? `; client CPU ${f(clientCpu)} ms` : ''}) | ${s ? `${ms(s.queue_wait_ms?.p50)} / ${ms(s.processing_ms?.p50)}` : '–'} | ${cpu} |`);
    });
    out.push('');
  }

  if (r.sweep) {
    out.push('### Concurrency sweep');
    out.push('');
    out.push('| endpoint | photos | conc. | req/s | p50 ms | p90 ms | p99 ms | non-200 / errors | ratio to in-process | server: queue wait p50 / processing p50 ms (per model) | load |');
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const s of r.sweep) {
      const bad = Object.entries(s.non_200).map(([k, v]) => `${v}x${k}`).join(' ') || '0';
      const split = Object.entries(s.server_split ?? {})
        .filter(([, v]) => v)
        .map(([m, v]) => `${m} ${ms(v.queue_wait_ms?.p50)} / ${ms(v.processing_ms?.p50)}${v.mean_batch_size ? ` (batch ${f(v.mean_batch_size)})` : ''}`)
        .join('; ');
      out.push(`| /predict_${s.endpoint} | ${s.set} | ${s.connections} | ${f(s.rps)} | ${ms(s.p50_ms)} | ${ms(s.p90_ms)} | ${ms(s.p99_ms)} | ${bad}${s.errors ? ` / ${s.errors}` : ''} | ${f(s.ratio_to_in_process, 2)} | ${split || '–'} | ${f(s.load_average, 2)} |`);
    }
    out.push('');
  }

  if (r.clip_batching) {
    const cb = r.clip_batching;
    out.push(`### Clip micro-batching in the cluster (/predict_clip, 32 connections, jpeg set): CLIP_MAX_BATCH=${cb.max_batch} (CLIP_MAX_WAIT_MS=${cb.max_wait_ms}) vs 1, both with ACTOR_CONCURRENCY=${cb.actor_concurrency}`);
    out.push('');
    out.push('| round | load | batched req/s (p50 / p99 ms, mean batch) | batch-1 req/s (p50 / p99 ms) | ratio |');
    out.push('| --- | --- | --- | --- | --- |');
    cb.rounds.forEach((x, i) =>
      out.push(`| ${i + 1} | ${f(x.load_average, 2)} | ${f(x.batched.rps)} (${ms(x.batched.p50_ms)} / ${ms(x.batched.p99_ms)}, ${f(x.batched.server_split?.mean_batch_size)}) | ${f(x.batch1.rps)} (${ms(x.batch1.p50_ms)} / ${ms(x.batch1.p99_ms)}) | **${f(x.ratio, 2)}** |`),
    );
    out.push('');
  }

  if (r.baselines) {
    out.push('### In-process baselines (one Node process, no HTTP, no queue; mean of before and after the cluster runs), images/s');
    out.push('');
    const sets = Object.keys(r.baselines.mean);
    const keys = Object.keys(r.baselines.mean[sets[0]]);
    out.push(`| photos | ${keys.join(' | ')} |`);
    out.push(`| --- | ${keys.map(() => '---').join(' | ')} |`);
    for (const s of sets) out.push(`| ${s} | ${keys.map((k) => f(r.baselines.mean[s][k])).join(' | ')} |`);
    out.push('');
  }
  return out.join('\n');
}
