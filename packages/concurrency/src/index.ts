export { mapLimit } from './map-limit';
