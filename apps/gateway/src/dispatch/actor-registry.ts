import { ActorHeartbeat, ActorHeartbeatSchema, MODEL_TYPES, ModelType, redisKeys } from '@cataract/contracts';
import type { Redis } from '@cataract/service-kit';
import type { Logger } from '../logger';

export type ActorSnapshot = Record<ModelType, ActorHeartbeat[]>;

export interface ActorRegistryOptions {
  /** How long a read of the heartbeats is reused (many requests per second share one read). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Live actors per model type, read from their heartbeat keys (which Redis expires when an actor
 * stops beating). Remembers when each type last had a live actor, so waiting requests can fail
 * fast once a type has had none for longer than the heartbeat TTL.
 */
export class ActorRegistry {
  private readonly cacheMs: number;
  private readonly now: () => number;
  private cached: { at: number; snapshot: ActorSnapshot } | undefined;
  private inflight: Promise<ActorSnapshot> | undefined;
  private readonly lastAlive: Record<ModelType, number>;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    opts: ActorRegistryOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? 300;
    this.now = opts.now ?? Date.now;
    // Before the first read, count "alive" from now: a fresh gateway gives actors one TTL to show up.
    const t0 = this.now();
    this.lastAlive = Object.fromEntries(MODEL_TYPES.map((t) => [t, t0])) as Record<ModelType, number>;
  }

  /** Heartbeats of every type; served from cache when younger than cacheMs. Throws when Redis fails. */
  async snapshot(): Promise<ActorSnapshot> {
    const c = this.cached;
    if (c && this.now() - c.at < this.cacheMs) return c.snapshot;
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Live actors of a type. An empty answer from the cache is confirmed by a fresh read: a 503
   * must not come from a snapshot taken just before an actor (re)appeared.
   */
  async live(model: ModelType): Promise<ActorHeartbeat[]> {
    const cached = (await this.snapshot())[model];
    if (cached.length > 0) return cached;
    this.invalidate();
    return (await this.snapshot())[model];
  }

  /** Milliseconds since the last read that found a live actor of this type. */
  msWithoutActor(model: ModelType): number {
    return this.now() - this.lastAlive[model];
  }

  /** Forget the cache (e.g. after Redis came back). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<ActorSnapshot> {
    const members = await this.pipelined(MODEL_TYPES.map((t) => ['smembers', redisKeys.actorIndex(t)]));
    const ids = MODEL_TYPES.map((_, i) => (members[i] as string[]) ?? []);
    const keys = MODEL_TYPES.flatMap((t, i) => ids[i].map((id) => redisKeys.actor(t, id)));
    const values = keys.length > 0 ? await this.redis.mget(...keys) : [];
    const at = this.now();
    const snapshot = {} as ActorSnapshot;
    const stale: Array<[ModelType, string]> = [];
    let k = 0;
    MODEL_TYPES.forEach((t, i) => {
      snapshot[t] = [];
      for (const id of ids[i]) {
        const raw = values[k++];
        const hb = raw ? parseHeartbeat(raw) : undefined;
        if (hb) snapshot[t].push(hb);
        else if (!raw) stale.push([t, id]);
      }
      snapshot[t].sort((a, b) => a.id.localeCompare(b.id));
      if (snapshot[t].length > 0) this.lastAlive[t] = at;
    });
    if (stale.length > 0) this.prune(stale);
    this.cached = { at, snapshot };
    return snapshot;
  }

  /** Index members whose heartbeat expired are dead actors; a live actor re-adds itself on its next beat. */
  private prune(stale: Array<[ModelType, string]>): void {
    const tx = this.redis.multi();
    for (const [t, id] of stale) tx.srem(redisKeys.actorIndex(t), id);
    tx.exec().catch((err: Error) => this.logger.debug({ err: err.message }, 'pruning stale actors failed'));
  }

  private async pipelined(commands: Array<[string, ...string[]]>): Promise<unknown[]> {
    const results = (await this.redis.pipeline(commands).exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }
}

function parseHeartbeat(raw: string): ActorHeartbeat | undefined {
  try {
    const parsed = ActorHeartbeatSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
