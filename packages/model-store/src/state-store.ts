import { randomBytes } from 'node:crypto';
import { ModelState, ModelStateSchema, ModelType, PrepareRequest, PrepareRequestSchema, redisKeys } from '@cataract/contracts';
import type { Redis } from 'ioredis';
import { ModelStoreError } from './errors';

/** The state without its bookkeeping: what an operation decides. */
export type StateBody = Omit<ModelState, 'revision' | 'updated_at'>;

/**
 * Compare-and-set in one script, so two operators (or a CLI and an admin route) can never both
 * win from the same revision, and a shared connection needs no WATCH: the new state is written
 * only when the stored revision is still the one the caller read (-1: none stored), the caller's
 * prepare request is withdrawn with it, and the change is announced in the same step.
 */
const COMMIT = `
local cur = redis.call('GET', KEYS[1])
local rev = -1
if cur then rev = cjson.decode(cur).revision end
if rev ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
local p = redis.call('GET', KEYS[2])
if p and cjson.decode(p).id == ARGV[3] then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

function parseJson<T>(raw: string | null, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  if (!raw) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Reads and writes the serving state and prepare requests of model types in Redis. */
export class ModelStateStore {
  constructor(private readonly redis: Redis) {}

  /** The stored state, or undefined (the type then serves its default version). */
  async read(type: ModelType): Promise<ModelState | undefined> {
    return parseJson(await this.redis.get(redisKeys.modelState(type)), ModelStateSchema);
  }

  /** State and pending prepare request of a type, in one round trip. */
  async readWithPrepare(type: ModelType): Promise<{ state?: ModelState; prepare?: PrepareRequest }> {
    const [state, prepare] = await this.redis.mget(redisKeys.modelState(type), redisKeys.modelPrepare(type));
    return { state: parseJson(state, ModelStateSchema), prepare: parseJson(prepare, PrepareRequestSchema) };
  }

  /** Asks the type's actors to load and warm `version` beside what they serve; expires after ttlMs. */
  async requestPrepare(type: ModelType, version: string, ttlMs: number): Promise<PrepareRequest> {
    const request: PrepareRequest = { version, id: randomBytes(6).toString('hex') };
    await this.redis.set(redisKeys.modelPrepare(type), JSON.stringify(request), 'PX', ttlMs);
    await this.announce(type);
    return request;
  }

  /** Withdraws a prepare request (only the caller's own). */
  async cancelPrepare(type: ModelType, request: PrepareRequest): Promise<void> {
    const current = parseJson(await this.redis.get(redisKeys.modelPrepare(type)), PrepareRequestSchema);
    if (current?.id === request.id) await this.redis.del(redisKeys.modelPrepare(type));
    await this.announce(type);
  }

  /** Writes `body` as the next revision after `fromRevision` (-1: nothing stored yet). */
  async commit(type: ModelType, fromRevision: number, body: StateBody, prepareId = ''): Promise<ModelState> {
    const next: ModelState = ModelStateSchema.parse({ ...body, revision: fromRevision + 1, updated_at: new Date().toISOString() });
    const won = await this.redis.eval(COMMIT, 2, redisKeys.modelState(type), redisKeys.modelPrepare(type), String(fromRevision), JSON.stringify(next), prepareId, redisKeys.modelStateChannel, type);
    if (Number(won) !== 1) throw new ModelStoreError('state_conflict', `the ${type} state changed while this command ran (another operator?); nothing was changed by this one: run it again`);
    return next;
  }

  async announce(type: ModelType): Promise<void> {
    await this.redis.publish(redisKeys.modelStateChannel, type);
  }
}
