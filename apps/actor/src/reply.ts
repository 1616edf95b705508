import type { ReplyMessage } from '@cataract/contracts';
import type { Logger } from './logger';
import type { Redis } from './redis';

/**
 * Publishes a job's outcome to the waiting gateway worker's channel. Best effort by design: the
 * same result is the job's return value, which the gateway reads when a message is missed.
 */
export class ReplyPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  async publish(channel: string, message: ReplyMessage): Promise<void> {
    try {
      await this.redis.publish(channel, JSON.stringify(message));
    } catch (err) {
      this.logger.warn({ channel, jobId: message.jobId, err: (err as Error).message }, 'reply publish failed; gateway falls back to the job state');
    }
  }
}
