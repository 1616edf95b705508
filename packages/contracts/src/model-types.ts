import { z } from 'zod';

/** The model types the cluster serves; each has exactly one BullMQ queue of the same name. */
export const MODEL_TYPES = ['lgbm', 'clip'] as const;
export const ModelTypeSchema = z.enum(MODEL_TYPES);
export type ModelType = z.infer<typeof ModelTypeSchema>;

/** Queue name per model type (kept as a map so a rename never has to touch producers or consumers). */
export const QUEUE_NAMES: Readonly<Record<ModelType, string>> = Object.freeze({ lgbm: 'lgbm', clip: 'clip' });

/** BullMQ key prefix shared by producers, consumers and any dashboard that inspects the queues. */
export const BULL_PREFIX = 'bull';

export function isModelType(value: unknown): value is ModelType {
  return ModelTypeSchema.safeParse(value).success;
}

/** Parses a comma list such as "lgbm,clip" (used by SERVED_MODELS); throws on unknown names. */
export function parseModelTypeList(value: string): ModelType[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const out: ModelType[] = [];
  for (const name of names) {
    const parsed = ModelTypeSchema.safeParse(name);
    if (!parsed.success) throw new Error(`unknown model type '${name}' (known: ${MODEL_TYPES.join(', ')})`);
    if (!out.includes(parsed.data)) out.push(parsed.data);
  }
  return out;
}
