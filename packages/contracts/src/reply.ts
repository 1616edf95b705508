import { z } from 'zod';
import { PredictJobResultSchema } from './job';

/**
 * What an actor publishes on the job's `replyTo` channel. The same result is also the job's
 * return value, which the gateway reads as a safety net when a pub/sub message was missed.
 */
export const ReplyMessageSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('completed'), jobId: z.string().min(1), result: PredictJobResultSchema }),
  z.object({ outcome: z.literal('failed'), jobId: z.string().min(1), message: z.string() }),
]);
export type ReplyMessage = z.infer<typeof ReplyMessageSchema>;
