import { z } from 'zod';

/**
 * Per-photo input statistics an actor measures on the image it decodes (see @cataract/imaging
 * stats/), carried in its job result so the gateway can watch the input distribution drift.
 */
export const InputStatsSchema = z.object({
  /** Longer side of the original image, pixels. */
  long_side: z.number().positive(),
  /** Mean luma, 0-255. */
  brightness: z.number().nonnegative(),
  /** Hasler and Suesstrunk's colourfulness, 0-255 scale. */
  colourfulness: z.number().nonnegative(),
  /** Variance of the Laplacian of the model's fixed-size view. */
  sharpness: z.number().nonnegative(),
});
export type InputStatsRecord = z.infer<typeof InputStatsSchema>;
export const INPUT_STATISTIC_NAMES = InputStatsSchema.keyof().options;

const StatisticReferenceSchema = z
  .object({
    edges: z.array(z.number()),
    proportions: z.array(z.number().min(0).max(1)),
    count: z.number().int().positive(),
    min: z.number(),
    max: z.number(),
    mean: z.number(),
  })
  .refine((r) => r.proportions.length === r.edges.length + 1, 'proportions must have one entry more than edges')
  .refine((r) => r.edges.every((e, i) => i === 0 || e > r.edges[i - 1]), 'edges must increase');

/** reference-stats.json of a model version: the training photos' distribution of each statistic. */
export const ReferenceStatsSchema = z.looseObject({
  format: z.literal('cataract-reference-stats'),
  format_version: z.literal(1),
  view: z.object({ width: z.number().int().positive(), height: z.number().int().positive(), fit: z.enum(['fill', 'cover', 'contain']) }),
  samples: z.number().int().positive(),
  statistics: z.object({
    long_side: StatisticReferenceSchema,
    brightness: StatisticReferenceSchema,
    colourfulness: StatisticReferenceSchema,
    sharpness: StatisticReferenceSchema,
  }),
});
export type ReferenceStatsFile = z.infer<typeof ReferenceStatsSchema>;
