import type { ReplyMessage } from '@cataract/contracts';
import type { Logger, Redis } from '@cataract/service-kit';

/**
 * Publishes a job's outcome to the waiting gateway worker's channel. Best effort by design: the
 * same result is the job's return value, which the gateway reads when a message is missed.
 */
export class ReplyPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  /**
   * `releaseKey`: an upload to delete in the same round trip (the job was its only reader). The
   * delete goes with the reply whatever the outcome: nobody reads the upload after an answer.
   */
  async publish(channel: string, message: ReplyMessage, releaseKey?: string): Promise<void> {
    try {
      if (releaseKey === undefined) {
        await this.redis.publish(channel, JSON.stringify(message));
      } else {
        const replies = await this.redis.pipeline().publish(channel, JSON.stringify(message)).del(releaseKey).exec();
        const failed = replies?.find(([err]) => err);
        if (failed) throw failed[0];
      }
    } catch (err) {
      this.logger.warn({ channel, jobId: message.jobId, err: (err as Error).message }, 'reply publish failed; gateway falls back to the job state');
    }
  }
}
