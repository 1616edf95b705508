import { assertModelType, listAll, ModelControl, verifyCandidate } from '@cataract/model-store';
import type { Redis } from 'ioredis';
import { formatChange, formatListing, formatValidation } from './format';

export const COMMANDS = [
  '  list                              versions of each model type, which serves, what each actor holds, shadow agreement',
  '  promote TYPE VERSION              VERSION answers every request (the serving one becomes the previous)',
  '  canary TYPE VERSION PERCENT       VERSION answers PERCENT % of requests (0 ends the canary)',
  '  shadow TYPE VERSION|off           VERSION also runs on a copy of live requests; its agreement is counted',
  '  rollback TYPE                     end the canary, or back to the previous serving version',
  '  validate DIR                      check a candidate version folder (manifest, sha256, feature set, warm-up predictions) without publishing it',
].join('\n');

export class ModelsUsageError extends Error {
  override name = 'ModelsUsageError';
}

export interface CommandContext {
  redis: Redis;
  modelsDir: string;
  /** Opens the Redis connection (validate does not need one). */
  connect(): Promise<void>;
}

function arity(args: string[], n: number, form: string): string[] {
  if (args.length !== n + 1) throw new ModelsUsageError(`${args[0]} takes ${n} argument${n === 1 ? '' : 's'}: ${form}`);
  return args.slice(1);
}

/** Runs one command; returns its output as text and as data (--json). Throws ModelStoreError when refused. */
export async function runModelsCommand(args: string[], ctx: CommandContext): Promise<{ text: string; data: unknown }> {
  const control = () => new ModelControl({ redis: ctx.redis, modelsDir: ctx.modelsDir });
  switch (args[0]) {
    case 'list': {
      arity(args, 0, 'list');
      await ctx.connect();
      const data = await listAll(ctx.redis, ctx.modelsDir);
      return { text: formatListing(data), data };
    }
    case 'promote': {
      const [type, version] = arity(args, 2, 'promote TYPE VERSION');
      await ctx.connect();
      const r = await control().promote(type, version);
      return { text: formatChange(`${type}: ${version} promoted`, r), data: r };
    }
    case 'canary': {
      const [type, version, pct] = arity(args, 3, 'canary TYPE VERSION PERCENT');
      const percent = Number(pct);
      if (pct.trim() === '' || !Number.isFinite(percent)) throw new ModelsUsageError(`PERCENT must be a number from 0 to 100, got '${pct}'`);
      await ctx.connect();
      const r = await control().canary(type, version, percent);
      return { text: formatChange(percent === 0 ? `${type}: canary ended` : `${type}: ${version} answers ${percent} % of requests`, r), data: r };
    }
    case 'shadow': {
      const [type, version] = arity(args, 2, 'shadow TYPE VERSION|off');
      await ctx.connect();
      const r = await control().shadow(type, version === 'off' ? undefined : version);
      return { text: formatChange(version === 'off' ? `${type}: shadow ended` : `${type}: ${version} shadows the live requests`, r), data: r };
    }
    case 'rollback': {
      const [type] = arity(args, 1, 'rollback TYPE');
      assertModelType(type);
      await ctx.connect();
      const r = await control().rollback(type);
      return { text: formatChange(`${type}: rolled back`, r), data: r };
    }
    case 'validate': {
      const [dir] = arity(args, 1, 'validate DIR');
      const verified = await verifyCandidate(dir);
      // Loaded only here: the actor's runtimes (onnxruntime, sharp) would slow every other command's start.
      const { warmUpCandidate } = await import('./warm-up-candidate');
      const warm = await warmUpCandidate(verified);
      const data = { type: verified.location.type, version: verified.location.version, runtime: verified.manifest.runtime, warmup: warm };
      return { text: formatValidation(data), data };
    }
    default:
      throw new ModelsUsageError(`unknown command '${args[0] ?? ''}'`);
  }
}
