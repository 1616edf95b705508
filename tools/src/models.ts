/**
 * `npm run models -- <command>`: the versioned model store and the cluster's serving state, as
 * the service sees them (REDIS_URL, MODELS_DIR). Exit 0 when done, 1 when refused (nothing changed
 * then), 2 on a usage error.
 */
import './models/raise-priority'; // first: the rest of the CLI loads at the raised priority
import path from 'node:path';
import { ModelStoreError } from '@cataract/model-store';
import { Redis } from 'ioredis';
import { repoRoot } from './common/dataset';
import { COMMANDS, ModelsUsageError, runModelsCommand } from './models/commands';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.length === 0 || args[0] === '--help' || args[0] === 'help') {
    console.log(`usage: npm run models -- <command> [--json]\n${COMMANDS}`);
    return args.length === 0 ? 2 : 0;
  }
  const modelsDir = path.resolve(process.env.MODELS_DIR || path.join(repoRoot, 'models'));
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  redis.on('error', () => undefined); // reported by the failing command
  try {
    const out = await runModelsCommand(args, { redis, modelsDir, connect: () => redis.connect() });
    console.log(json ? JSON.stringify(out.data, null, 2) : out.text);
    return 0;
  } catch (err) {
    if (err instanceof ModelsUsageError) {
      console.error(`${err.message}\nusage: npm run models -- <command>\n${COMMANDS}`);
      return 2;
    }
    if (err instanceof ModelStoreError) {
      console.error(`refused (${err.code}): ${err.message}\nnothing was changed; the serving version keeps answering.`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ECONNREFUSED' || /connect|Connection is closed/i.test(e.message)) {
      console.error(`cannot reach Redis at ${redisUrl} (${e.code ?? e.message}): set REDIS_URL to the service's Redis`);
      return 1;
    }
    console.error(`models: ${e.stack ?? e.message}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

void main().then((code) => process.exit(code));
