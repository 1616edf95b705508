import {
  decide,
  ImageRejectionCode,
  ImageRejectionCodeSchema,
  JobTimings,
  PredictJobData,
  PredictJobDataSchema,
  PredictJobResult,
} from '@cataract/contracts';
import { ImageRejectedError } from '@cataract/imaging';
import type { Job } from 'bullmq';
import type { Logger, Redis } from '@cataract/service-kit';
import { DeadlinePassedError, InvalidJobError, UploadGoneError } from './errors';
import type { ReplyPublisher } from './reply-publisher';
import { jobTimings } from './job-timings';
import type { RuntimeOutcome } from './runtimes/runtime';
import type { ShadowRunner } from './versions/shadow-runner';
import type { Lease } from './versions/version-set';

/** Which model version a job runs on (VersionSet: serving, or a canary for a share of request ids). */
export interface VersionChooser {
  acquire(requestId: string): Lease;
  acquireShadow(): Lease | undefined;
}

export interface JobProcessorDeps {
  redis: Redis;
  versions: VersionChooser;
  /** Copies answered requests to a shadow version, when one runs. */
  shadow?: ShadowRunner;
  actorId: string;
  replies: ReplyPublisher;
  logger: Logger;
  now?: () => number;
}

/**
 * One prediction job: drop it if its request is over (deadline passed or upload gone), read the
 * upload, run it on the version the request is routed to, turn P(cataract) into the answer, publish the reply (and
 * delete the upload with it when the job is its only reader) and return the same result (the job's
 * stored return value). A refused image is a result, not an error, so it is never retried; other
 * errors throw and BullMQ retries them within the deadline.
 */
export function createJobProcessor(deps: JobProcessorDeps): (job: Job<PredictJobData>) => Promise<PredictJobResult> {
  const now = deps.now ?? Date.now;
  return async (job) => {
    const started = { epochMs: now(), perfMs: performance.now() };
    const parsed = PredictJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw new InvalidJobError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const data = parsed.data;
    const late = now() - data.deadline;
    if (late >= 0) throw new DeadlinePassedError(late);

    const bytes = await deps.redis.getBuffer(data.uploadKey);
    if (!bytes) throw new UploadGoneError(data.uploadKey);

    // The job keeps the version it started on until it ends, whatever a promotion does meanwhile.
    const lease = deps.versions.acquire(data.requestId);
    let outcome: RuntimeOutcome;
    try {
      outcome = await lease.slot.scheduler.submit(bytes);
    } finally {
      lease.release();
    }
    const { version, manifest: { threshold } } = lease.slot;
    let result: PredictJobResult;
    if (outcome.ok) {
      result = {
        status: 'ok',
        ...decide(outcome.probabilities.cataract, threshold),
        model_version: version,
        actor_id: deps.actorId,
        ...withTimings(jobTimings(job, started, performance.now(), outcome.timings)),
        ...(outcome.inputStats && { input_stats: outcome.inputStats }),
      };
    } else if (rejectionCode(outcome.error)) {
      result = {
        status: 'rejected',
        error: { code: rejectionCode(outcome.error)!, message: outcome.error.message },
        model_version: version,
        actor_id: deps.actorId,
        ...withTimings(jobTimings(job, started, performance.now(), undefined)),
      };
    } else {
      throw outcome.error;
    }
    await deps.replies.publish(data.replyTo, { outcome: 'completed', jobId: String(job.id), result }, data.releaseUpload ? data.uploadKey : undefined);
    if (result.status === 'ok' && deps.shadow) deps.shadow.copy(deps.versions.acquireShadow(), bytes, result.prediction);
    deps.logger.debug({ jobId: job.id, reqId: data.requestId, status: result.status, version }, 'job done');
    return result;
  };
}

const withTimings = (timings: JobTimings | undefined) => (timings ? { timings } : {});

/** The client-input code of an imaging rejection, undefined for any other (possibly transient) error. */
function rejectionCode(err: Error): ImageRejectionCode | undefined {
  if (!(err instanceof ImageRejectedError) && err.name !== 'ImageRejectedError') return undefined;
  const parsed = ImageRejectionCodeSchema.safeParse((err as { code?: unknown }).code);
  return parsed.success ? parsed.data : 'undecodable_image';
}
