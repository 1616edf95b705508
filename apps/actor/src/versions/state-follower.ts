import { ModelType, PrepareRequest, redisKeys } from '@cataract/contracts';
import { defaultVersion, ModelStateStore } from '@cataract/model-store';
import type { Logger } from '@cataract/service-kit';
import type { Redis } from '@cataract/service-kit';
import type { Routing, VersionSet } from './version-set';

export interface DesiredVersions {
  routing: Routing;
  prepare?: PrepareRequest;
  revision: number;
}

/** The routing the cluster state asks of a type: the Redis state, or the store's default version. */
export async function readDesired(store: ModelStateStore, modelsDir: string, type: ModelType): Promise<DesiredVersions> {
  const { state, prepare } = await store.readWithPrepare(type);
  if (state) return { routing: { serving: state.serving, canary: state.canary, shadow: state.shadow, previous: state.previous }, prepare, revision: state.revision };
  const serving = defaultVersion(modelsDir, type);
  if (!serving) throw new Error(`no ${type} model in ${modelsDir}: neither ${type}/default nor ${type}/manifest.json`);
  return { routing: { serving }, prepare, revision: -1 };
}

export interface StateFollowerOptions {
  type: ModelType;
  modelsDir: string;
  /** A safety net under pub/sub (a missed message, a Redis restart): the state is also read this often. */
  pollMs: number;
}

/**
 * Keeps an actor's VersionSet on the cluster's model state: a change announced on the state channel
 * is applied at once, and the state is re-read every pollMs in case an announcement was missed.
 * Reads that find nothing new cost one MGET.
 */
export class StateFollower {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private running: Promise<void> | undefined;
  private again = false;
  private readonly store: ModelStateStore;

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly versions: VersionSet,
    private readonly logger: Logger,
    private readonly opts: StateFollowerOptions,
  ) {
    this.store = new ModelStateStore(redis);
  }

  /**
   * `applied`: what the actor loaded at start (the versions that answer). The first check applies
   * the state once more, which loads what start-up left out: the previous version (the rollback
   * standby) and a pending prepare request.
   */
  async start(_applied: DesiredVersions): Promise<void> {
    this.last = '';
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === redisKeys.modelStateChannel && message === this.opts.type) this.check();
    });
    await this.subscriber.subscribe(redisKeys.modelStateChannel);
    this.timer = setInterval(() => this.check(), this.opts.pollMs);
    this.check(); // a change made between the first read and the subscription
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the state and applies it when it changed; a check during a check runs once more after it. */
  check(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.follow()
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'reading the model state failed; retrying'))
      .finally(() => {
        this.running = undefined;
        if (this.again && this.timer) {
          this.again = false;
          this.check();
        }
      });
  }

  private async follow(): Promise<void> {
    const desired = await readDesired(this.store, this.opts.modelsDir, this.opts.type);
    const k = key(desired);
    if (k === this.last) return;
    await this.versions.apply(desired.routing, desired.prepare);
    this.last = k;
  }
}

const key = (d: DesiredVersions) => `${d.revision}|${d.prepare?.id ?? ''}|${JSON.stringify(d.routing)}`;
