import { z } from 'zod';
import { ModelStateSchema } from './model-state';
import { ModelTypeSchema } from './model-types';

/** Bodies and answers of the admin model routes (/admin/models), the same data `npm run models -- ... --json` prints. */
const AgreementSchema = z.object({ compared: z.number().int().nonnegative(), agreed: z.number().int().nonnegative(), agreement: z.number().min(0).max(1).nullable() });

export const ShadowStatsSchema = AgreementSchema.extend({
  version: z.string(),
  /** Live requests not copied because the shadow was busy (it only takes a bounded share of each actor). */
  skipped: z.number().int().nonnegative(),
  by_label: z.record(z.string(), AgreementSchema),
});

export const TypeListingSchema = z.object({
  type: ModelTypeSchema,
  default: z.string().optional(),
  source: z.enum(['redis', 'default']),
  serving: z.string(),
  previous: z.string().optional(),
  canary: z.object({ version: z.string(), percent: z.number() }).optional(),
  shadow: ShadowStatsSchema.optional(),
  versions: z.array(z.object({ version: z.string(), created: z.string().optional(), runtime: z.string().optional(), roles: z.array(z.string()) })),
  actors: z.array(z.object({ id: z.string(), host: z.string(), serving: z.string().optional(), loaded: z.array(z.string()), failed: z.record(z.string(), z.string()).optional() })),
});
export const ModelListingSchema = z.object({ models: z.array(TypeListingSchema) });
export type ModelListing = z.infer<typeof ModelListingSchema>;

export const ModelChangeSchema = z.object({
  type: ModelTypeSchema,
  state: ModelStateSchema,
  /** Live actors of the type, and how many already report the new state (the rest follow within a second). */
  actors: z.number().int().nonnegative(),
  switched: z.number().int().nonnegative(),
});
export type ModelChange = z.infer<typeof ModelChangeSchema>;

export const PromoteBodySchema = z.object({ version: z.string().min(1) });
export const CanaryBodySchema = z.object({ version: z.string().min(1), percent: z.number().min(0).max(100) });
/** version null ends the shadow. */
export const ShadowBodySchema = z.object({ version: z.string().min(1).nullable() });

export const ValidationReportSchema = z.object({ type: ModelTypeSchema, version: z.string(), runtime: z.string(), valid: z.literal(true) });
