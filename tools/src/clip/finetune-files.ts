/** The files tools/python/clip_finetune.py writes (cv --json, fit's FILE.json), validated before use. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const p = z.number().min(0).max(1).nullable();

export const FinetuneCvSchema = z.looseObject({
  repeat: z.number().int().min(0),
  command: z.string(),
  settings: z.record(z.string(), z.unknown()),
  predictions: z.array(z.object({ file: z.string().min(1), label: z.number().int(), fold: z.number().int().min(0), frozen: p, fine_tuned: p, frozen_reencoded_256: p, fine_tuned_reencoded_256: p })).min(1),
});
export type FinetuneCv = z.infer<typeof FinetuneCvSchema>;

export const FinetuneFitSchema = z.looseObject({
  command: z.string(),
  source_version: z.string().min(1),
  settings: z.record(z.string(), z.unknown()),
  photometric: z.number().int().nullable(),
  photometric_exported: z.number().int().min(0),
  rows: z.number().int().positive(),
  fine_tuned_weights: z.record(z.string(), z.array(z.number().int())),
  probe: z.array(z.object({ file: z.string().min(1), p_cataract: z.number().min(0).max(1) })).min(1),
});
export type FinetuneFit = z.infer<typeof FinetuneFitSchema>;

async function readJson<T>(file: string, schema: z.ZodType<T>, what: string): Promise<T> {
  const parsed = schema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: not a ${what} (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  return parsed.data;
}

export const readFinetuneCv = (file: string) => readJson(file, FinetuneCvSchema, 'clip_finetune.py cv --json file');
export const readFinetuneFit = (file: string) => readJson(file, FinetuneFitSchema, 'clip_finetune.py fit record');
