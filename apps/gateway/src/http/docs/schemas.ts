import { MODEL_TYPES, ModelTypeSchema } from '@cataract/contracts';
import { z } from 'zod';

/** GET / (JSON): what routes/info.ts answers; the gateway's tests hold the real answer to it. */
export const EndpointInfoSchema = z.object({
  method: z.enum(['GET', 'POST']),
  path: z.string(),
  description: z.string(),
});

export const ModelInfoSchema = z.object({
  served: z.boolean(),
  version: z.string().nullable(),
  runtime: z.enum(['lightgbm', 'onnx']).nullable(),
  threshold: z.number().min(0).max(1).nullable(),
  actors: z.number().int().nonnegative(),
  actor_versions: z.array(z.string()),
});

export const ApiInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string(),
  endpoints: z.array(EndpointInfoSchema),
  models: z.object(Object.fromEntries(MODEL_TYPES.map((t) => [t, ModelInfoSchema])) as Record<z.infer<typeof ModelTypeSchema>, typeof ModelInfoSchema>),
});
export type ApiInfo = z.infer<typeof ApiInfoSchema>;
