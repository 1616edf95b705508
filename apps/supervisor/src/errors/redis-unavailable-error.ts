/** No Redis answers at REDIS_URL and none could be started here. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(
    message: string,
    readonly redisUrl: string,
  ) {
    super(message);
  }
}
