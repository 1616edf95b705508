import { ActorHeartbeat, ActorHeartbeatSchema, ModelType, redisKeys } from '@cataract/contracts';
import type { Redis } from 'ioredis';

/** The live actors of a type as their heartbeats describe them (expired ones are simply absent). */
export async function liveActors(redis: Redis, type: ModelType): Promise<ActorHeartbeat[]> {
  const ids = await redis.smembers(redisKeys.actorIndex(type));
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => redisKeys.actor(type, id)));
  const out: ActorHeartbeat[] = [];
  for (const raw of values) {
    if (!raw) continue;
    try {
      const parsed = ActorHeartbeatSchema.safeParse(JSON.parse(raw));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // a malformed record is not a live actor
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
