import { EnsembleModel, EnsembleStrategy, ModelType, PredictionResult } from '@cataract/contracts';
import { UnsupportedImageError } from '../errors';
import type { ModelClient, RequestContext, StoredUpload } from '../dispatch/model-client';
import { inBand } from './band';
import { MemberNotServedError } from './errors';
import { MemberResult, MemberResults, Resolved, resolveMembers } from './resolve';
import type { EnsembleSettings } from './settings';

export interface EnsembleAnswer extends Resolved {
  strategy: EnsembleStrategy;
  members: MemberResults;
  cascade?: { band: [number, number]; lgbm_p: number | null; clip_called: boolean };
}

/**
 * Asks the member models about one stored upload (the bytes are in Redis once; each member's job
 * reads the same key) and combines their answers.
 *  - weighted: lgbm and clip in parallel, P(cataract) combined with the configured weights (and
 *    combiner, see combine.ts);
 *  - cascade: lgbm first; clip only when lgbm's P(cataract) is inside the uncertainty band (or lgbm
 *    could not answer), then the same combination of both.
 * A member type the deployment does not serve counts as unavailable.
 */
export interface EnsembleObserver {
  /** Both members answered one request (drift monitoring counts how often their labels differ). */
  onBothAnswered?: (lgbm: PredictionResult, clip: PredictionResult) => void;
}

export class EnsemblePredictor {
  constructor(
    private readonly client: Pick<ModelClient, 'predict'>,
    private readonly settings: EnsembleSettings,
    private readonly served: readonly ModelType[],
    private readonly observer: EnsembleObserver = {},
  ) {}

  async predict(upload: StoredUpload, ctx: RequestContext, strategy: EnsembleStrategy): Promise<EnsembleAnswer> {
    const answer = await this.combine(upload, ctx, strategy);
    const { lgbm, clip } = answer.members;
    if (lgbm?.ok && clip?.ok) this.observer.onBothAnswered?.(lgbm.result, clip.result);
    return answer;
  }

  private async combine(upload: StoredUpload, ctx: RequestContext, strategy: EnsembleStrategy): Promise<EnsembleAnswer> {
    const { weights, threshold, combiner } = this.settings;
    if (strategy === 'weighted') {
      const [lgbm, clip] = await Promise.all([this.ask('lgbm', upload, ctx), this.ask('clip', upload, ctx)]);
      const members: MemberResults = { lgbm, clip };
      return { strategy, members, ...resolveMembers(members, ['lgbm', 'clip'], weights, threshold, combiner) };
    }
    const band: [number, number] = [this.settings.band[0], this.settings.band[1]];
    const lgbm = await this.ask('lgbm', upload, ctx);
    const lgbmP = lgbm.ok ? lgbm.result.probabilities.cataract : null;
    // A refused image needs no second opinion; an unsure or missing lgbm answer does.
    const clipNeeded = lgbmP === null ? !(lgbm.ok === false && lgbm.error instanceof UnsupportedImageError) : inBand(lgbmP, band);
    const members: MemberResults = { lgbm };
    if (clipNeeded) members.clip = await this.ask('clip', upload, ctx);
    const needed: EnsembleModel[] = clipNeeded ? ['lgbm', 'clip'] : ['lgbm'];
    return {
      strategy,
      members,
      cascade: { band, lgbm_p: lgbmP, clip_called: clipNeeded },
      ...resolveMembers(members, needed, weights, threshold, combiner),
    };
  }

  private async ask(model: EnsembleModel, upload: StoredUpload, ctx: RequestContext): Promise<MemberResult> {
    if (!this.served.includes(model)) return { ok: false, error: new MemberNotServedError(model) };
    try {
      return { ok: true, result: await this.client.predict(model, upload, ctx) };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
}
