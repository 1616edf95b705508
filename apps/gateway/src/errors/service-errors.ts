import type { ModelType } from '@cataract/contracts';
import { HttpError, ServiceUnavailableError } from './http-error';

export class NoActorError extends ServiceUnavailableError {
  constructor(model: ModelType) {
    super('no_actor', `no ${model} model actor is available`, 2);
  }
}

export class QueueFullError extends ServiceUnavailableError {
  constructor(model: ModelType, waiting: number) {
    super('queue_full', `the ${model} queue is full (${waiting} waiting), retry shortly`, 1);
  }
}

export class RedisUnavailableError extends ServiceUnavailableError {
  constructor(cause?: unknown) {
    super('redis_unavailable', 'the job store (Redis) is unreachable', 2, cause);
  }
}

/** Runs a Redis call on a request's path: a failure there is a 503 `redis_unavailable`; HTTP errors pass through. */
export async function redisCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new RedisUnavailableError(err);
  }
}

export class DeadlineExceededError extends HttpError {
  constructor(timeoutMs: number) {
    super(504, 'timeout', `no answer within the ${timeoutMs} ms request deadline`);
  }
}

/** The actor gave up on the job after its retries (not the client's fault). */
export class InferenceFailedError extends HttpError {
  constructor(model: ModelType, detail: string) {
    super(502, 'inference_failed', `the ${model} model failed: ${detail}`);
  }
}

/** The job vanished from Redis while its request still waited (e.g. evicted); never expected. */
export class JobLostError extends HttpError {
  constructor(model: ModelType) {
    super(502, 'inference_failed', `the ${model} job was lost before it answered`);
  }
}

export class NotFoundError extends HttpError {
  constructor(method: string, path: string) {
    super(404, 'not_found', `no route for ${method} ${path}`);
  }
}

/** The client went away before the answer: not sent anywhere, only ends the wait. */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}
