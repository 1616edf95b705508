import { join } from 'node:path';
import { z } from 'zod';
import { CalibrationSchema } from './calibration';
import { LabelSchema } from './labels';
import { ModelTypeSchema } from './model-types';

/** models/<name>/manifest.json, the contract between trainers and actors (see helpers' MANIFEST.md). */
const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits');
const FileNameSchema = z
  .string()
  .min(1)
  .refine((f) => !f.includes('/') && !f.includes('\\') && f !== '.' && f !== '..', 'file must be a name beside the manifest');
/** A version names a folder: letters, digits, dot, underscore, dash. */
export const ModelVersionSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a version is 1-100 letters, digits, . _ - (starting with a letter or digit)');

const common = {
  name: ModelTypeSchema,
  version: ModelVersionSchema,
  file: FileNameSchema,
  sha256: Sha256Schema,
  /**
   * sha256 of every file of a versioned model folder (models/<type>/<version>/), the model file
   * included; the model store refuses a version whose files differ from it.
   */
  files: z.record(FileNameSchema, Sha256Schema).optional(),
  labels: z.array(LabelSchema).min(2),
  positive_label: z.literal('cataract'),
  threshold: z.number().min(0).max(1),
  /** Applied by the actor to the model's raw P(cataract) before the threshold (absent: served raw). */
  calibration: CalibrationSchema.optional(),
  created: z.string().min(1),
  training: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
};

export const LightgbmManifestSchema = z.looseObject({
  ...common,
  runtime: z.literal('lightgbm'),
  feature_set: z.object({ name: z.string().min(1), version: z.string().min(1) }),
});

const rgb = z.tuple([z.number(), z.number(), z.number()]);

export const OnnxManifestSchema = z.looseObject({
  ...common,
  runtime: z.literal('onnx'),
  input: z.object({
    name: z.string().min(1),
    layout: z.enum(['NCHW', 'NHWC']),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    channels: z.literal(3),
    mean: rgb,
    std: rgb,
    resize: z.enum(['fill', 'cover', 'contain']),
  }),
  output: z.object({ name: z.string().min(1), kind: z.enum(['probabilities', 'logits']) }),
});

export const ModelManifestSchema = z
  .discriminatedUnion('runtime', [LightgbmManifestSchema, OnnxManifestSchema])
  .refine((m) => new Set(m.labels).size === m.labels.length, 'labels must be distinct')
  .refine((m) => m.labels.includes(m.positive_label), 'labels must include positive_label');

export type LightgbmManifest = z.infer<typeof LightgbmManifestSchema>;
export type OnnxManifest = z.infer<typeof OnnxManifestSchema>;
export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelRuntimeKind = ModelManifest['runtime'];

/** Where a model type's manifest lives: MODELS_DIR/<name>/manifest.json. */
export function manifestPath(modelsDir: string, name: string): string {
  return join(modelsDir, name, 'manifest.json');
}
