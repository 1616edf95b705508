import { ActorHeartbeat, PrepareRequestSchema, redisKeys } from '@cataract/contracts';
import { Redis } from 'ioredis';
import { follows, ModelControl, ModelStoreError, readShadowStats, recordShadow } from '../src';
import { StoreFixture } from './fixtures';
import { hasRedisServer, startRedis } from './redis';

/**
 * A stand-in actor: it beats like a real one and answers prepare requests (loaded, or refused with
 * a reason), and reports the state it was last told to follow (as the actor's StateFollower does).
 */
class FakeActor {
  refuse: string | undefined;
  ignorePrepare = false;
  private timer: NodeJS.Timeout;
  private versions: NonNullable<ActorHeartbeat['versions']>;

  constructor(private readonly redis: Redis, readonly id: string, serving: string) {
    this.versions = { serving, loaded: [serving] };
    this.timer = setInterval(() => void this.tick(), 20);
  }

  private async tick(): Promise<void> {
    const [rawState, rawPrepare] = await this.redis.mget(redisKeys.modelState('lgbm'), redisKeys.modelPrepare('lgbm'));
    const prepare = rawPrepare ? PrepareRequestSchema.parse(JSON.parse(rawPrepare)) : undefined;
    if (prepare && !this.ignorePrepare && prepare.id !== this.versions.prepare_id) {
      if (this.refuse) this.versions = { ...this.versions, failed: { [prepare.version]: this.refuse }, prepare_id: prepare.id };
      else this.versions = { ...this.versions, loaded: [...new Set([...this.versions.loaded, prepare.version])], prepare_id: prepare.id };
    }
    if (rawState) {
      const s = JSON.parse(rawState);
      if (this.versions.loaded.includes(s.serving)) this.versions = { ...this.versions, serving: s.serving, canary: s.canary, shadow: s.shadow?.version };
    }
    const now = new Date().toISOString();
    const hb: ActorHeartbeat = { id: this.id, model: 'lgbm', pid: 1, host: 'h', model_version: this.versions.serving, versions: this.versions, started: now, last_seen: now, jobs_done: 0, concurrency: 1 };
    await this.redis.multi().set(redisKeys.actor('lgbm', this.id), JSON.stringify(hb), 'PX', 500).sadd(redisKeys.actorIndex('lgbm'), this.id).exec();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

const d = hasRedisServer ? describe : describe.skip;
d(`model control: promote, canary, shadow, rollback against Redis${hasRedisServer ? '' : ' (skipped: redis-server not on PATH)'}`, () => {
  let server: { url: string; stop(): Promise<void> };
  let redis: Redis;
  let fx: StoreFixture;
  let control: ModelControl;
  const actors: FakeActor[] = [];
  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await redis.flushdb(); // the test's own private server
    fx = new StoreFixture();
    fx.addLgbm('v1', { makeDefault: true });
    fx.addLgbm('v2');
    fx.addLgbm('v3');
    control = new ModelControl({ redis, modelsDir: fx.dir, prepareTimeoutMs: 1500, switchTimeoutMs: 1500, pollMs: 20 });
  });
  const beating = async (...ids: string[]) => {
    for (let i = 0; i < 200 && (await redis.smembers(redisKeys.actorIndex('lgbm'))).length < ids.length; i++) await new Promise((r) => setTimeout(r, 10));
  };
  afterEach(() => {
    actors.splice(0).forEach((a) => a.stop());
    fx.remove();
  });

  it('starts from the default version, promotes once every actor has the new one loaded, and rolls back', async () => {
    expect(await control.current('lgbm')).toMatchObject({ serving: 'v1', source: 'default', revision: -1 });
    actors.push(new FakeActor(redis, 'a1', 'v1'), new FakeActor(redis, 'a2', 'v1'));
    await beating('a1', 'a2');
    const r = await control.promote('lgbm', 'v2');
    expect(r.state).toMatchObject({ serving: 'v2', previous: 'v1', revision: 0 });
    expect(r).toMatchObject({ actors: 2, switched: 2 });
    expect(await redis.get(redisKeys.modelPrepare('lgbm'))).toBeNull(); // withdrawn with the commit
    const back = await control.rollback('lgbm');
    expect(back.state).toMatchObject({ serving: 'v1', previous: 'v2', revision: 1 });
  });

  it('changes nothing when an actor cannot load the version, or does not answer in time', async () => {
    const a = new FakeActor(redis, 'a1', 'v1');
    actors.push(a);
    await beating('a1');
    a.refuse = 'warm-up prediction failed: probabilities sum to NaN';
    await expect(control.promote('lgbm', 'v2')).rejects.toThrow(/actor a1 could not load lgbm v2: warm-up prediction failed/);
    expect(await redis.get(redisKeys.modelState('lgbm'))).toBeNull();
    a.refuse = undefined;
    a.ignorePrepare = true;
    const err = await control.promote('lgbm', 'v3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelStoreError);
    expect((err as ModelStoreError).code).toBe('actors_not_ready');
    expect(await redis.get(redisKeys.modelState('lgbm'))).toBeNull();
    expect(await redis.get(redisKeys.modelPrepare('lgbm'))).toBeNull();
  });

  it('runs a canary and a shadow beside the serving version; rollback ends the canary first', async () => {
    actors.push(new FakeActor(redis, 'a1', 'v1'));
    await beating('a1');
    expect((await control.canary('lgbm', 'v2', 10)).state).toMatchObject({ serving: 'v1', canary: { version: 'v2', percent: 10 } });
    await recordShadow(redis, 'lgbm', 'v3', 'cataract', 'normal'); // left over from an earlier shadow of v3
    expect((await control.shadow('lgbm', 'v3')).state).toMatchObject({ serving: 'v1', canary: { version: 'v2', percent: 10 }, shadow: { version: 'v3' } });
    expect((await readShadowStats(redis, 'lgbm', 'v3')).compared).toBe(0); // a new shadow counts from zero
    await recordShadow(redis, 'lgbm', 'v3', 'cataract', 'cataract');
    await recordShadow(redis, 'lgbm', 'v3', 'normal', 'cataract');
    expect(await readShadowStats(redis, 'lgbm', 'v3')).toMatchObject({ compared: 2, agreed: 1, agreement: 0.5, by_label: { cataract: { compared: 1, agreed: 1 }, normal: { compared: 1, agreed: 0 } } });
    const ended = await control.rollback('lgbm');
    expect(ended.state).toMatchObject({ serving: 'v1', shadow: { version: 'v3' } });
    expect(ended.state.canary).toBeUndefined();
    expect((await control.shadow('lgbm', undefined)).state.shadow).toBeUndefined();
  });

  it('refuses unknown types and versions, a canary of the serving version, and a rollback with nothing before', async () => {
    await expect(control.promote('xgb', 'v2')).rejects.toThrow(/unknown model type 'xgb'/);
    await expect(control.promote('lgbm', 'v9')).rejects.toThrow(/no version 'v9'/);
    await expect(control.canary('lgbm', 'v1', 10)).rejects.toThrow(/already serves/);
    await expect(control.canary('lgbm', 'v2', 150)).rejects.toThrow(/from 0 to 100/);
    await expect(control.rollback('lgbm')).rejects.toThrow(/no previous version/);
    expect(await redis.get(redisKeys.modelState('lgbm'))).toBeNull();
  });

  it('lets only one of two writers win from the same revision', async () => {
    await control.promote('lgbm', 'v2'); // no actors: nothing to prepare
    const store = control.store;
    const cur = (await store.read('lgbm'))!;
    await store.commit('lgbm', cur.revision, { serving: 'v3', previous: 'v2' });
    await expect(store.commit('lgbm', cur.revision, { serving: 'v1', previous: 'v2' })).rejects.toThrow(/changed while this command ran/);
    expect((await store.read('lgbm'))!.serving).toBe('v3');
  });

  it('tells whether an actor follows a state', () => {
    const hb = { versions: { serving: 'v2', loaded: ['v2'], canary: { version: 'v3', percent: 5 } } } as ActorHeartbeat;
    expect(follows(hb, { serving: 'v2', canary: { version: 'v3', percent: 5 } })).toBe(true);
    expect(follows(hb, { serving: 'v2' })).toBe(false);
  });
});
