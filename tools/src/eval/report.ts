/**
 * The eval report: per route (or predictions file) the figures on the photos as sent, the figures
 * of every other form of the photos, and the share of photos whose label changed from the one
 * answered for the photo as sent. Several runs (the repeats of a cross-validation) are reported as
 * mean ± standard deviation over runs, confusion matrices summed over runs.
 */
import type { Confusion } from '../common/metrics';
import { figures, labelChangeShare, type Answer, type Figures } from './metrics';

export interface SectionInput {
  /** e.g. "/predict_lgbm" or a file name. */
  title: string;
  files: readonly string[];
  /** runs[r][i]: photo i's answer as sent, in run r. */
  runs: Answer[][];
  /** Other forms of the same photos, same runs and order. */
  variants: Array<{ title: string; runs: Answer[][] }>;
}

export interface Stat {
  mean: number;
  sd: number;
}

export interface FormSummary {
  title: string;
  accuracy: Stat;
  auc: Stat;
  ece: Stat;
  /** Confusion summed over runs. */
  confusion: Confusion;
  /** Share of photos whose label differs from the photo as sent (absent for the photos as sent). */
  labelChanged?: Stat;
}

export interface SectionSummary {
  title: string;
  photos: number;
  cataract: number;
  runs: number;
  asSent: FormSummary;
  variants: FormSummary[];
  /** Share of photos whose label changed in at least one other form. */
  labelChangedAny?: Stat;
  /** Photos answered wrongly as sent in at least one run, and photos whose label changed in some form. */
  wrong: string[];
  unstable: string[];
}

export function stat(xs: readonly number[]): Stat {
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

function form(title: string, runs: Answer[][], baseline?: Answer[][]): FormSummary {
  const f: Figures[] = runs.map(figures);
  const confusion = f.reduce<Confusion>((c, x) => ({ tp: c.tp + x.confusion.tp, fp: c.fp + x.confusion.fp, tn: c.tn + x.confusion.tn, fn: c.fn + x.confusion.fn }), { tp: 0, fp: 0, tn: 0, fn: 0 });
  return {
    title,
    accuracy: stat(f.map((x) => x.accuracy)),
    auc: stat(f.map((x) => x.auc)),
    ece: stat(f.map((x) => x.ece)),
    confusion,
    ...(baseline && { labelChanged: stat(runs.map((run, r) => labelChangeShare(baseline[r], run))) }),
  };
}

export function summarize(s: SectionInput): SectionSummary {
  const photos = s.files.length;
  for (const runs of [s.runs, ...s.variants.map((v) => v.runs)]) {
    if (runs.length !== s.runs.length || runs.some((run) => run.length !== photos)) throw new RangeError(`${s.title}: runs differ in shape`);
  }
  const changedInRun = (r: number, i: number) => s.variants.some((v) => v.runs[r][i].predicted !== s.runs[r][i].predicted);
  const files = (pick: (i: number) => boolean) => s.files.filter((_, i) => pick(i));
  return {
    title: s.title,
    photos,
    cataract: s.runs[0]?.filter((a) => a.actual === 1).length ?? 0,
    runs: s.runs.length,
    asSent: form('as sent', s.runs),
    variants: s.variants.map((v) => form(v.title, v.runs, s.runs)),
    ...(s.variants.length > 0 && {
      labelChangedAny: stat(s.runs.map((run, r) => run.filter((_, i) => changedInRun(r, i)).length / photos)),
    }),
    wrong: files((i) => s.runs.some((run) => run[i].predicted !== run[i].actual)),
    unstable: files((i) => s.runs.some((_, r) => changedInRun(r, i))),
  };
}

const pct = (x: Stat, runs: number) => `${(x.mean * 100).toFixed(2)} %${runs > 1 ? ` ± ${(x.sd * 100).toFixed(2)}` : ''}`;
const num = (x: Stat, runs: number) => `${x.mean.toFixed(4)}${runs > 1 ? ` ± ${x.sd.toFixed(4)}` : ''}`;

const LISTED = 20;

function fileList(files: readonly string[]): string {
  if (files.length === 0) return 'none';
  const more = files.length > LISTED ? ` and ${files.length - LISTED} more (all in --json)` : '';
  return `${files.slice(0, LISTED).join(', ')}${more}`;
}

/** Plain-text report of one section. */
export function formatSection(s: SectionSummary): string {
  const summed = s.runs > 1 ? ` (summed over ${s.runs} runs)` : '';
  const c = s.asSent.confusion;
  const lines = [
    `${s.title}: ${s.photos} photos (${s.cataract} cataract, ${s.photos - s.cataract} normal)${s.runs > 1 ? `, ${s.runs} runs: mean ± sd` : ''}`,
    `  accuracy ${pct(s.asSent.accuracy, s.runs)}   ROC-AUC ${num(s.asSent.auc, s.runs)}   ECE ${num(s.asSent.ece, s.runs)}`,
    `  confusion${summed}: rows actual, columns answered`,
    `                     cataract    normal`,
    `    cataract   ${String(c.tp).padStart(13)} ${String(c.fn).padStart(9)}`,
    `    normal     ${String(c.fp).padStart(13)} ${String(c.tn).padStart(9)}`,
  ];
  if (s.variants.length > 0) {
    lines.push(`  other forms of the same photos: label changed from "as sent" / accuracy / ROC-AUC / ECE`);
    for (const v of s.variants) {
      lines.push(`    ${v.title.padEnd(11)} ${pct(v.labelChanged!, s.runs).padStart(8)} changed   ${pct(v.accuracy, s.runs)}   ${num(v.auc, s.runs)}   ${num(v.ece, s.runs)}`);
    }
    lines.push(`    any form    ${pct(s.labelChangedAny!, s.runs).padStart(8)} changed`);
  }
  lines.push(`  wrong as sent${s.runs > 1 ? ' in some run' : ''}: ${fileList(s.wrong)}`);
  if (s.variants.length > 0) lines.push(`  label changed in some form: ${fileList(s.unstable)}`);
  return lines.join('\n');
}
