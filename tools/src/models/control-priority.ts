/**
 * `npm run models` asks for a higher CPU priority before the rest of the CLI loads
 * (raise-priority.ts). The command is most needed when the host is saturated (a rollback in an incident), and
 * there a normal-priority process gets a few tenths of a core: loading and running the command
 * then takes seconds before the change reaches the actors. Allowed for root or with CAP_SYS_NICE;
 * elsewhere the request is refused and the CLI runs as it is. MODELS_CLI_NICE sets the value
 * (default -10; 0 leaves the priority alone).
 */
import { constants, setPriority } from 'node:os';

const DEFAULT_NICE = -10;

export function controlPriority(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.MODELS_CLI_NICE?.trim();
  const nice = raw ? Number(raw) : DEFAULT_NICE;
  if (!Number.isInteger(nice) || nice < constants.priority.PRIORITY_HIGHEST || nice > constants.priority.PRIORITY_LOW || nice === 0) return undefined;
  try {
    setPriority(nice);
    return nice;
  } catch {
    return undefined; // EACCES: not permitted here
  }
}
