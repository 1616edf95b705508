import { ActorVersions, PrepareRequest, versionForRequest } from '@cataract/contracts';
import { versionsInUse } from '@cataract/model-store';
import type { Logger } from '@cataract/service-kit';
import { closeSlot, SlotLoader, VersionSlot } from './version-slot';

/** Which loaded versions answer: the serving one, a canary for a share of requests, a shadow beside. */
export interface Routing {
  serving: string;
  canary?: { version: string; percent: number };
  shadow?: { version: string };
  /** Kept loaded as a warm standby, so a rollback switches at once; never answers. */
  previous?: string;
}

/** A job's hold on the version it started with: released when the job ends, whatever the routing did meanwhile. */
export interface Lease {
  readonly slot: VersionSlot;
  release(): void;
}

export interface VersionSetOptions {
  load: SlotLoader;
  logger: Logger;
  /** Warm-up predictions of a version loaded while serving (the process's code is already warm). */
  switchWarmupRuns: number;
  /** Called whenever what the actor holds or answers with changed (heartbeat it at once). */
  onChange?: () => void;
}

/**
 * The model versions one actor holds. `apply` loads what a routing (and a pending prepare request)
 * needs beside what already answers, switches the routing only once every version it names is
 * loaded and warm, and frees versions nothing needs any more as soon as their last job finished.
 * Jobs take a lease at their start (`acquire`), so a switch never moves a running job.
 */
export class VersionSet {
  private readonly slots = new Map<string, VersionSlot>();
  private readonly retiring = new Set<VersionSlot>();
  private readonly failed = new Map<string, string>();
  private routing: Routing | undefined;
  private prepareId: string | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly opts: VersionSetOptions) {}

  /** First load at start: the routing's versions with the start-up warm-up; throws when one cannot load. */
  async start(routing: Routing, warmupRuns: number): Promise<void> {
    for (const v of versionsInUse(routing)) this.slots.set(v, await this.opts.load(v, warmupRuns));
    this.routing = routing;
  }

  get serving(): string {
    if (!this.routing) throw new Error('version set not started');
    return this.routing.serving;
  }

  servingSlot(): VersionSlot {
    return this.slots.get(this.serving)!;
  }

  /** The version that answers this request (canary split by request id), held until release(). */
  acquire(requestId: string): Lease {
    if (!this.routing) throw new Error('version set not started');
    const slot = this.slots.get(versionForRequest(this.routing, requestId))!;
    return this.lease(slot);
  }

  /** A hold on the shadow version, when one is loaded and routed. */
  acquireShadow(): Lease | undefined {
    const v = this.routing?.shadow?.version;
    const slot = v === undefined ? undefined : this.slots.get(v);
    return slot ? this.lease(slot) : undefined;
  }

  /** Serialised: a change waits for the one before it. */
  apply(routing: Routing, prepare: PrepareRequest | undefined): Promise<void> {
    const next = this.queue.then(() => this.applyNow(routing, prepare));
    this.queue = next.catch(() => undefined);
    return next;
  }

  report(): ActorVersions {
    const r = this.routing!;
    return {
      serving: r.serving,
      loaded: [...this.slots.keys()].sort(),
      ...(r.canary && { canary: r.canary }),
      ...(r.shadow && { shadow: r.shadow.version }),
      ...(this.failed.size > 0 && { failed: Object.fromEntries(this.failed) }),
      ...(this.prepareId !== undefined && { prepare_id: this.prepareId }),
    };
  }

  /** Frees every version once its jobs are done (the actor is stopping). */
  async close(): Promise<void> {
    await this.queue;
    const all = [...this.slots.values(), ...this.retiring];
    this.slots.clear();
    this.retiring.clear();
    await Promise.all(all.map((s) => closeSlot(s)));
  }

  private lease(slot: VersionSlot): Lease {
    slot.inflight++;
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        slot.inflight--;
        if (slot.inflight === 0 && this.retiring.delete(slot)) void this.free(slot);
      },
    };
  }

  private async applyNow(routing: Routing, prepare: PrepareRequest | undefined): Promise<void> {
    const before = JSON.stringify(this.report());
    const newPrepare = prepare !== undefined && prepare.id !== this.prepareId;
    const wanted = new Set([...versionsInUse(routing), ...(prepare ? [prepare.version] : []), ...(routing.previous ? [routing.previous] : [])]);
    for (const v of wanted) {
      if (this.slots.has(v)) continue;
      // A version that failed here is tried again only for a new prepare request, not on every poll.
      if (this.failed.has(v) && !(newPrepare && prepare.version === v)) continue;
      try {
        this.slots.set(v, await this.opts.load(v, this.opts.switchWarmupRuns));
        this.failed.delete(v);
      } catch (err) {
        this.failed.set(v, (err as Error).message);
        this.opts.logger.error({ version: v, err: (err as Error).message }, 'model version refused; the versions loaded before keep answering');
      }
    }
    const missing = versionsInUse(routing).filter((v) => !this.slots.has(v));
    if (missing.length === 0) {
      if (JSON.stringify(routing) !== JSON.stringify(this.routing)) this.opts.logger.info({ from: this.routing, to: routing }, 'model routing switched');
      this.routing = routing;
    } else {
      this.opts.logger.error({ missing, keeping: this.routing }, 'cannot follow the cluster model state: versions failed to load here');
    }
    if (prepare) this.prepareId = prepare.id;
    const keep = new Set([...wanted, ...versionsInUse(this.routing!)]);
    for (const [v, slot] of this.slots) {
      if (keep.has(v)) continue;
      this.slots.delete(v);
      if (slot.inflight === 0) void this.free(slot);
      else this.retiring.add(slot); // freed by the release of its last job
    }
    if (JSON.stringify(this.report()) !== before) this.opts.onChange?.();
  }

  private async free(slot: VersionSlot): Promise<void> {
    try {
      await closeSlot(slot);
      this.opts.logger.info({ version: slot.version }, 'model version freed');
    } catch (err) {
      this.opts.logger.warn({ version: slot.version, err: (err as Error).message }, 'freeing a model version failed');
    }
  }
}
