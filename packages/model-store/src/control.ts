import type { ActorHeartbeat, ModelState, ModelType } from '@cataract/contracts';
import type { Redis } from 'ioredis';
import { liveActors } from './actors-view';
import { effectiveState, EffectiveState, versionsInUse } from './effective-state';
import { ModelStoreError } from './errors';
import { assertModelType, assertVersionName } from './layout';
import { resetShadowStats } from './shadow-stats';
import { ModelStateStore, StateBody } from './state-store';
import { verifyVersion, VerifiedVersion } from './verify';

export interface ModelControlOptions {
  redis: Redis;
  modelsDir: string;
  /** How long the actors get to load and warm a version before the change is given up (nothing changes then). */
  prepareTimeoutMs?: number;
  /** How long a command waits for every actor to report the new state after it was written. */
  switchTimeoutMs?: number;
  pollMs?: number;
}

export interface ChangeReport {
  type: ModelType;
  state: ModelState;
  /** Live actors of the type, and how many of them report the new state (the rest follow within their poll interval). */
  actors: number;
  switched: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The operations of `npm run models` and the admin API. Each reads the current state, checks the
 * version it brings in (verifyVersion: manifest, sha256 of every file, feature set), asks every live
 * actor of the type to load and warm it beside what it serves, and only when all of them report it
 * ready writes the new state (compare-and-set) and announces it; the actors then switch between
 * jobs. Any refusal (bad version, an actor that cannot load or warm it, a concurrent change) leaves
 * the state as it was, so the serving version keeps answering.
 */
export class ModelControl {
  readonly store: ModelStateStore;
  private readonly prepareTimeoutMs: number;
  private readonly switchTimeoutMs: number;
  private readonly pollMs: number;

  constructor(private readonly opts: ModelControlOptions) {
    this.store = new ModelStateStore(opts.redis);
    this.prepareTimeoutMs = opts.prepareTimeoutMs ?? 60_000;
    this.switchTimeoutMs = opts.switchTimeoutMs ?? 15_000;
    this.pollMs = opts.pollMs ?? 100;
  }

  async current(typeName: string): Promise<EffectiveState> {
    const type = assertModelType(typeName);
    return effectiveState(this.opts.modelsDir, type, await this.store.read(type));
  }

  /** Checks a published version without changing anything. */
  async validate(typeName: string, version: string): Promise<VerifiedVersion> {
    return verifyVersion(this.opts.modelsDir, assertModelType(typeName), assertVersionName(version));
  }

  /** VERSION answers every request; the serving one becomes `previous`. Ends a canary. */
  async promote(typeName: string, version: string): Promise<ChangeReport> {
    return this.change(typeName, version, (cur) => {
      if (cur.serving === version && !cur.canary) throw new ModelStoreError('invalid_request', `${version} already serves ${typeName}`);
      return { serving: version, previous: cur.serving === version ? cur.previous : cur.serving, shadow: cur.shadow?.version === version ? undefined : cur.shadow };
    });
  }

  /** VERSION answers PERCENT % of requests (0 ends the canary). */
  async canary(typeName: string, version: string, percent: number): Promise<ChangeReport> {
    if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100)) throw new ModelStoreError('invalid_request', `canary percent must be a number from 0 to 100, got ${percent}`);
    if (percent === 0) return this.change(typeName, undefined, (cur) => ({ ...strip(cur), canary: undefined }));
    return this.change(typeName, version, (cur) => {
      if (cur.serving === version) throw new ModelStoreError('invalid_request', `${version} already serves ${typeName}: a canary needs another version`);
      return { ...strip(cur), canary: { version, percent } };
    });
  }

  /** VERSION also runs on a copy of live requests (undefined ends the shadow). Its agreement counters start from zero. */
  async shadow(typeName: string, version: string | undefined): Promise<ChangeReport> {
    if (version === undefined) return this.change(typeName, undefined, (cur) => ({ ...strip(cur), shadow: undefined }));
    const type = assertModelType(typeName);
    return this.change(type, version, async (cur) => {
      if (cur.serving === version) throw new ModelStoreError('invalid_request', `${version} already serves ${type}: a shadow needs another version`);
      await resetShadowStats(this.opts.redis, type, version);
      return { ...strip(cur), shadow: { version } };
    });
  }

  /** Takes back the last change: ends a canary when one runs, else the previous version serves again. */
  async rollback(typeName: string): Promise<ChangeReport> {
    const cur = await this.current(typeName);
    if (cur.canary) return this.change(typeName, undefined, (now) => ({ ...strip(now), canary: undefined }));
    const back = cur.previous;
    if (!back) throw new ModelStoreError('no_previous_version', `${typeName} has no previous version to roll back to (serving ${cur.serving}, ${cur.source === 'default' ? 'the default' : 'never promoted over another'})`);
    return this.change(typeName, back, (now) => ({ serving: back, previous: now.serving, shadow: now.shadow?.version === back ? undefined : now.shadow }));
  }

  private async change(typeName: string, incoming: string | undefined, decide: (cur: EffectiveState) => StateBody | Promise<StateBody>): Promise<ChangeReport> {
    const type = assertModelType(typeName);
    if (incoming !== undefined) await this.validate(type, incoming);
    const cur = await this.current(type);
    const next = await decide(cur);
    let prepareId = '';
    // The actors hold every version in use and the previous one (a warm standby for rollback).
    const held = [...versionsInUse(cur), ...(cur.previous ? [cur.previous] : [])];
    if (incoming !== undefined && !held.includes(incoming)) prepareId = await this.prepare(type, incoming);
    let state: ModelState;
    try {
      state = await this.store.commit(type, cur.revision, next, prepareId);
    } catch (err) {
      // Lost to a concurrent change: the actors need not keep the version loaded for us any more.
      if (prepareId) await this.store.cancelPrepare(type, { version: incoming!, id: prepareId }).catch(() => undefined);
      throw err;
    }
    return { type, state, ...(await this.waitForSwitch(type, state)) };
  }

  /** Every live actor of the type loads and warms `version`; refused when one cannot, or they take too long. */
  private async prepare(type: ModelType, version: string): Promise<string> {
    const request = await this.store.requestPrepare(type, version, this.prepareTimeoutMs + 5000);
    const end = Date.now() + this.prepareTimeoutMs;
    try {
      for (;;) {
        const actors = await liveActors(this.opts.redis, type);
        const answered = actors.filter((a) => a.versions?.prepare_id === request.id);
        const failed = answered.find((a) => a.versions?.failed?.[version] !== undefined);
        if (failed) throw new ModelStoreError('warmup_failed', `actor ${failed.id} could not load ${type} ${version}: ${failed.versions!.failed![version]}`);
        if (answered.length === actors.length && answered.every((a) => a.versions!.loaded.includes(version))) return request.id;
        if (Date.now() > end) {
          const waiting = actors.filter((a) => !answered.includes(a)).map((a) => a.id);
          throw new ModelStoreError('actors_not_ready', `actors of ${type} did not report ${version} ready within ${this.prepareTimeoutMs} ms (waiting for ${waiting.join(', ') || 'none'})`);
        }
        await sleep(this.pollMs);
      }
    } catch (err) {
      await this.store.cancelPrepare(type, request).catch(() => undefined);
      throw err;
    }
  }

  private async waitForSwitch(type: ModelType, state: ModelState): Promise<{ actors: number; switched: number }> {
    const end = Date.now() + this.switchTimeoutMs;
    for (;;) {
      const actors = await liveActors(this.opts.redis, type);
      const switched = actors.filter((a) => follows(a, state)).length;
      if (switched === actors.length || Date.now() > end) return { actors: actors.length, switched };
      await sleep(this.pollMs);
    }
  }
}

/** The state an operation starts from, without the read-time bookkeeping. */
function strip(cur: EffectiveState): StateBody {
  const { source: _s, revision: _r, ...body } = cur;
  return body;
}

/** Whether an actor reports answering by `state`. */
export function follows(actor: ActorHeartbeat, state: Pick<ModelState, 'serving' | 'canary' | 'shadow'>): boolean {
  const v = actor.versions;
  if (!v) return false;
  return v.serving === state.serving && v.canary?.version === state.canary?.version && v.canary?.percent === state.canary?.percent && v.shadow === state.shadow?.version;
}
