export { mapLimit } from './map-limit';
export { TimeoutError, withTimeout } from './with-timeout';
