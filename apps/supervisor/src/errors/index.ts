export { ConfigError } from './config-error';
export { RedisUnavailableError } from './redis-unavailable-error';
