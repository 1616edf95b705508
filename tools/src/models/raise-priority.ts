/** Imported first by tools/src/models.ts, so every module after it loads at the raised priority. */
import { controlPriority } from './control-priority';

controlPriority();
