import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnsembleResponseSchema, ModelType, PredictionResult } from '@cataract/contracts';
import {
  combinedFailure,
  combineProbabilities,
  EnsemblePredictor,
  EnsembleSettings,
  inBand,
  loadEnsembleSettings,
  MemberNotServedError,
  parseBand,
  parseWeights,
  resolveMembers,
  toEnsembleResponse,
} from '../src/ensemble';
import { DeadlineExceededError, InferenceFailedError, NoActorError, QueueFullError, UnsupportedImageError } from '../src/errors';
import type { RequestContext, StoredUpload } from '../src/dispatch/model-client';

const result = (model: string, p: number): PredictionResult => ({
  status: 'ok',
  prediction: p >= 0.5 ? 'cataract' : 'normal',
  confidence: p >= 0.5 ? p : 1 - p,
  probabilities: { cataract: p, normal: 1 - p },
  model_version: `${model}-v1`,
  actor_id: `${model}-actor`,
});

describe('ensemble weights, band and combination (pure)', () => {
  it('parses ENSEMBLE_WEIGHTS and scales them to sum 1', () => {
    expect(parseWeights('lgbm=0.3,clip=0.7')).toEqual({ lgbm: 0.3, clip: 0.7 });
    expect(parseWeights(' clip = 3 , lgbm=1 ')).toEqual({ lgbm: 0.25, clip: 0.75 });
    expect(parseWeights('lgbm=0,clip=2')).toEqual({ lgbm: 0, clip: 1 });
    expect(() => parseWeights('lgbm=0.3')).toThrow(/missing clip/);
    expect(() => parseWeights('lgbm=0.3,resnet=0.7')).toThrow(/unknown model "resnet"/);
    expect(() => parseWeights('lgbm=0.3,lgbm=0.2,clip=1')).toThrow(/twice/);
    expect(() => parseWeights('lgbm=-1,clip=1')).toThrow(/<model>=<weight>/);
    expect(() => parseWeights('lgbm=0,clip=0')).toThrow(/positive/);
  });

  it('parses CASCADE_BAND and tells whether lgbm is unsure', () => {
    expect(parseBand('0.2-0.8')).toEqual([0.2, 0.8]);
    expect(parseBand('0.35,0.65')).toEqual([0.35, 0.65]);
    expect(() => parseBand('0.8-0.2')).toThrow(/lo <= hi/);
    expect(() => parseBand('0.2-1.5')).toThrow(/hi <= 1/);
    expect(() => parseBand('wide')).toThrow(/CASCADE_BAND/);
    expect([0.19, 0.2, 0.5, 0.8, 0.81].map((p) => inBand(p, [0.2, 0.8]))).toEqual([false, true, true, true, false]);
  });

  it('averages P(cataract) by weight over the members that answered', () => {
    const w = { lgbm: 0.3, clip: 0.7 };
    expect(combineProbabilities({ lgbm: 0.2, clip: 0.9 }, w)).toBeCloseTo(0.3 * 0.2 + 0.7 * 0.9, 12);
    expect(combineProbabilities({ lgbm: 0.2 }, w)).toBeCloseTo(0.2, 12); // degraded: the one that answered
    expect(combineProbabilities({ clip: 0.9 }, w)).toBeCloseTo(0.9, 12);
    expect(combineProbabilities({ lgbm: 0.2 }, { lgbm: 0, clip: 1 })).toBeCloseTo(0.2, 12); // zero weight still beats no answer
    expect(combineProbabilities({ lgbm: 1, clip: 1 }, { lgbm: 0.1, clip: 0.9 })).toBeLessThanOrEqual(1);
    expect(() => combineProbabilities({}, w)).toThrow(/no ensemble member/);
    expect(() => combineProbabilities({ lgbm: 1.2 }, w)).toThrow(/probability/);
  });

  it('logit combiner: bias + scale * weighted log-odds when both answer, the answering member alone otherwise', () => {
    const w = { lgbm: 0.25, clip: 0.75 };
    const c = { kind: 'logit' as const, bias: -0.2, scale: 1.5 };
    const lo = (p: number) => Math.log(p / (1 - p));
    const expected = 1 / (1 + Math.exp(-(-0.2 + 1.5 * (0.25 * lo(0.2) + 0.75 * lo(0.9)))));
    expect(combineProbabilities({ lgbm: 0.2, clip: 0.9 }, w, c)).toBeCloseTo(expected, 12);
    expect(combineProbabilities({ lgbm: 0.2, clip: 0.9 }, w, c)).not.toBeCloseTo(0.25 * 0.2 + 0.75 * 0.9, 3);
    expect(combineProbabilities({ lgbm: 0.2 }, w, c)).toBeCloseTo(0.2, 12); // degraded: no bias/scale on one member
    expect(combineProbabilities({ lgbm: 0, clip: 1 }, w, c)).toBeGreaterThan(0.5); // 0 and 1 stay finite log-odds
    expect(combineProbabilities({ lgbm: 0.2, clip: 0.9 }, w, { kind: 'mean' })).toBeCloseTo(0.25 * 0.2 + 0.75 * 0.9, 12);
  });
});

describe('resolveMembers', () => {
  const w = { lgbm: 0.25, clip: 0.75 };
  it('combines both answers and decides at the threshold', () => {
    const r = resolveMembers({ lgbm: { ok: true, result: result('lgbm', 0.4) }, clip: { ok: true, result: result('clip', 0.6) } }, ['lgbm', 'clip'], w, 0.5);
    expect(r.decision.probabilities.cataract).toBeCloseTo(0.25 * 0.4 + 0.75 * 0.6, 12);
    expect(r.decision.prediction).toBe('cataract');
    expect(r).toMatchObject({ answered: ['lgbm', 'clip'], degraded: false });
    const strict = resolveMembers({ lgbm: { ok: true, result: result('lgbm', 0.4) }, clip: { ok: true, result: result('clip', 0.6) } }, ['lgbm', 'clip'], w, 0.6);
    expect(strict.decision.prediction).toBe('normal');
  });

  it('answers degraded from the member that answered when the other is unavailable', () => {
    for (const error of [new NoActorError('clip'), new DeadlineExceededError(1000), new InferenceFailedError('clip', 'boom'), new Error('bug')]) {
      const r = resolveMembers({ lgbm: { ok: true, result: result('lgbm', 0.3) }, clip: { ok: false, error } }, ['lgbm', 'clip'], w, 0.5);
      expect(r).toMatchObject({ answered: ['lgbm'], degraded: true, decision: { prediction: 'normal', probabilities: { cataract: 0.3 } } });
    }
  });

  it('a refused image (415) from either member refuses the request, even when the other answered', () => {
    const refused = new UnsupportedImageError('undecodable_image', 'truncated');
    expect(() => resolveMembers({ lgbm: { ok: true, result: result('lgbm', 0.3) }, clip: { ok: false, error: refused } }, ['lgbm', 'clip'], w, 0.5)).toThrow(refused);
    expect(() => resolveMembers({ lgbm: { ok: false, error: refused }, clip: { ok: false, error: new NoActorError('clip') } }, ['lgbm', 'clip'], w, 0.5)).toThrow(refused);
  });

  it('fails like a single model when no member answered', () => {
    const both503 = combinedFailure([
      { model: 'lgbm', error: new NoActorError('lgbm') },
      { model: 'clip', error: new QueueFullError('clip', 300) },
    ]);
    expect(both503).toMatchObject({ status: 503, code: 'no_actor', headers: { 'Retry-After': '2' } });
    expect(both503.message).toMatch(/lgbm: no lgbm model actor.*clip: the clip queue is full/);
    const timeout = combinedFailure([
      { model: 'lgbm', error: new NoActorError('lgbm') },
      { model: 'clip', error: new DeadlineExceededError(5000) },
    ]);
    expect(timeout).toMatchObject({ status: 504, code: 'timeout' });
    const bug = new TypeError('x is undefined');
    expect(combinedFailure([{ model: 'lgbm', error: bug }])).toBe(bug);
    expect(() => resolveMembers({ lgbm: { ok: false, error: new NoActorError('lgbm') }, clip: { ok: false, error: new NoActorError('clip') } }, ['lgbm', 'clip'], w, 0.5)).toThrow(
      expect.objectContaining({ status: 503 }),
    );
  });
});

/** A ModelClient stand-in: scripted answers per model, and a record of what was asked over which upload. */
class FakeClient {
  calls: Array<{ model: ModelType; uploadKey: string }> = [];
  constructor(private readonly script: Partial<Record<ModelType, number | Error>>) {}
  async predict(model: ModelType, upload: StoredUpload, _ctx: RequestContext): Promise<PredictionResult> {
    this.calls.push({ model, uploadKey: upload.key });
    const s = this.script[model];
    if (s === undefined) throw new NoActorError(model);
    if (s instanceof Error) throw s;
    return result(model, s);
  }
}

describe('EnsemblePredictor + toEnsembleResponse', () => {
  const settings: EnsembleSettings = { weights: { lgbm: 0.3, clip: 0.7 }, threshold: 0.5, band: [0.2, 0.8], combiner: { kind: 'mean' }, source: 'env' };
  const upload: StoredUpload = {
    key: 'cataract:upload:u1',
    bytes: 10,
    stored: Promise.resolve(),
    singleReader: false,
    markReleased: () => undefined,
    release: async () => undefined,
  };
  const ctx: RequestContext = { requestId: 'r1', deadline: Date.now() + 10_000 };
  const respond = (answer: Awaited<ReturnType<EnsemblePredictor['predict']>>) =>
    EnsembleResponseSchema.parse(toEnsembleResponse(answer, settings.weights, { requestId: 'r1', processingSeconds: 0.01234567 }));

  it('weighted: asks both over the same stored upload and reports each member', async () => {
    const client = new FakeClient({ lgbm: 0.1, clip: 0.9 });
    const body = respond(await new EnsemblePredictor(client, settings, ['lgbm', 'clip']).predict(upload, ctx, 'weighted'));
    expect(client.calls).toEqual([
      { model: 'lgbm', uploadKey: upload.key },
      { model: 'clip', uploadKey: upload.key },
    ]);
    expect(body.probabilities.cataract).toBeCloseTo(0.3 * 0.1 + 0.7 * 0.9, 12);
    expect(body).toMatchObject({
      prediction: 'cataract',
      model_used: 'ensemble',
      model_version: 'lgbm:lgbm-v1+clip:clip-v1',
      actor_id: 'lgbm:lgbm-actor+clip:clip-actor',
      processing_time: 0.0123,
      strategy: 'weighted',
      weights: { lgbm: 0.3, clip: 0.7 },
      degraded: false,
      models: { lgbm: { probabilities: { cataract: 0.1 }, model_version: 'lgbm-v1' }, clip: { probabilities: { cataract: 0.9 } } },
    });
    expect(body.cascade).toBeUndefined();
    expect(body.models.lgbm).not.toHaveProperty('status');
  });

  it('weighted: degraded from lgbm when clip has no actor, with clip’s error in models', async () => {
    const body = respond(await new EnsemblePredictor(new FakeClient({ lgbm: 0.35 }), settings, ['lgbm', 'clip']).predict(upload, ctx, 'weighted'));
    expect(body).toMatchObject({
      prediction: 'normal',
      probabilities: { cataract: 0.35 },
      degraded: true,
      model_version: 'lgbm:lgbm-v1',
      models: { lgbm: { probabilities: { cataract: 0.35 } }, clip: { error: { code: 'no_actor', message: expect.stringMatching(/clip/) } } },
    });
  });

  it('a member the deployment does not serve is not asked, and the answer is degraded', async () => {
    const client = new FakeClient({ lgbm: 0.9, clip: 0.1 });
    const body = respond(await new EnsemblePredictor(client, settings, ['lgbm']).predict(upload, ctx, 'weighted'));
    expect(client.calls.map((c) => c.model)).toEqual(['lgbm']);
    expect(body).toMatchObject({ degraded: true, probabilities: { cataract: 0.9 }, models: { clip: { error: { code: 'no_actor', message: expect.stringMatching(/not served/) } } } });
    expect(new MemberNotServedError('clip').status).toBe(503);
  });

  it('cascade: a confident lgbm answers alone, without asking clip', async () => {
    for (const p of [0.05, 0.19, 0.81, 0.97]) {
      const client = new FakeClient({ lgbm: p, clip: 0.5 });
      const body = respond(await new EnsemblePredictor(client, settings, ['lgbm', 'clip']).predict(upload, ctx, 'cascade'));
      expect(client.calls.map((c) => c.model)).toEqual(['lgbm']);
      expect(body).toMatchObject({ strategy: 'cascade', degraded: false, probabilities: { cataract: p }, cascade: { band: [0.2, 0.8], lgbm_p: p, clip_called: false }, model_version: 'lgbm:lgbm-v1' });
      expect(body.models.clip).toBeUndefined();
    }
  });

  it('cascade: an unsure lgbm asks clip and the weighted average decides', async () => {
    const client = new FakeClient({ lgbm: 0.45, clip: 0.95 });
    const body = respond(await new EnsemblePredictor(client, settings, ['lgbm', 'clip']).predict(upload, ctx, 'cascade'));
    expect(client.calls.map((c) => c.model)).toEqual(['lgbm', 'clip']);
    expect(body.probabilities.cataract).toBeCloseTo(0.3 * 0.45 + 0.7 * 0.95, 12);
    expect(body).toMatchObject({ prediction: 'cataract', degraded: false, cascade: { lgbm_p: 0.45, clip_called: true } });
  });

  it('cascade: unsure lgbm with clip down answers degraded from lgbm; lgbm down asks clip', async () => {
    const unsure = respond(await new EnsemblePredictor(new FakeClient({ lgbm: 0.6 }), settings, ['lgbm', 'clip']).predict(upload, ctx, 'cascade'));
    expect(unsure).toMatchObject({ degraded: true, probabilities: { cataract: 0.6 }, cascade: { lgbm_p: 0.6, clip_called: true }, models: { clip: { error: { code: 'no_actor' } } } });
    const lgbmDown = respond(await new EnsemblePredictor(new FakeClient({ clip: 0.9 }), settings, ['lgbm', 'clip']).predict(upload, ctx, 'cascade'));
    expect(lgbmDown).toMatchObject({ degraded: true, probabilities: { cataract: 0.9 }, cascade: { lgbm_p: null, clip_called: true }, model_version: 'clip:clip-v1' });
  });

  it('cascade: an image lgbm refuses is refused without asking clip', async () => {
    const client = new FakeClient({ lgbm: new UnsupportedImageError('undecodable_image', 'truncated'), clip: 0.9 });
    await expect(new EnsemblePredictor(client, settings, ['lgbm', 'clip']).predict(upload, ctx, 'cascade')).rejects.toMatchObject({ status: 415 });
    expect(client.calls.map((c) => c.model)).toEqual(['lgbm']);
  });

  it('both members unavailable: the usual 503', async () => {
    await expect(new EnsemblePredictor(new FakeClient({}), settings, ['lgbm', 'clip']).predict(upload, ctx, 'weighted')).rejects.toMatchObject({ status: 503, code: 'no_actor' });
  });
});

describe('loadEnsembleSettings', () => {
  const modelsDir = (file?: object | string) => {
    const dir = mkdtempSync(join(tmpdir(), 'ensemble-settings-'));
    mkdirSync(dir, { recursive: true });
    if (file !== undefined) writeFileSync(join(dir, 'ensemble.json'), typeof file === 'string' ? file : JSON.stringify(file));
    return dir;
  };
  const file = { weights: { lgbm: 0.2, clip: 0.6 }, threshold: 0.45, method: 'grid', date: '2026-11-26', command: 'node tools/dist/choose-ensemble-weights.js' };

  it('takes models/ensemble.json when present, env overrides, equal weights otherwise', () => {
    expect(loadEnsembleSettings({}, modelsDir(file))).toEqual({
      weights: { lgbm: expect.closeTo(0.25, 12), clip: expect.closeTo(0.75, 12) },
      threshold: 0.45,
      band: [0.2, 0.8],
      combiner: { kind: 'mean' },
      source: 'file',
    });
    expect(loadEnsembleSettings({ ENSEMBLE_WEIGHTS: 'lgbm=1,clip=1', CASCADE_BAND: '0.3-0.7' }, modelsDir(file))).toEqual({
      weights: { lgbm: 0.5, clip: 0.5 },
      threshold: 0.45,
      band: [0.3, 0.7],
      combiner: { kind: 'mean' },
      source: 'env',
    });
    expect(loadEnsembleSettings({}, modelsDir())).toMatchObject({ weights: { lgbm: 0.5, clip: 0.5 }, threshold: 0.5, source: 'default' });
  });

  it("takes the file's combiner and cascade band; env weights fall back to the plain mean", () => {
    const stacked = { ...file, combiner: { kind: 'logit', bias: 0.1, scale: 2 }, cascade_band: [0.05, 0.9] };
    expect(loadEnsembleSettings({}, modelsDir(stacked))).toMatchObject({ combiner: { kind: 'logit', bias: 0.1, scale: 2 }, band: [0.05, 0.9], source: 'file' });
    expect(loadEnsembleSettings({ ENSEMBLE_WEIGHTS: 'lgbm=1,clip=3', CASCADE_BAND: '0.3-0.7' }, modelsDir(stacked))).toMatchObject({ combiner: { kind: 'mean' }, band: [0.3, 0.7] });
    expect(() => loadEnsembleSettings({}, modelsDir({ ...file, combiner: { kind: 'logit', bias: 0, scale: -1 } }))).toThrow(/combiner/);
    expect(() => loadEnsembleSettings({}, modelsDir({ ...file, cascade_band: [0.9, 0.1] }))).toThrow(/cascade_band/);
  });

  it('refuses an invalid file or variable instead of serving different weights silently', () => {
    expect(() => loadEnsembleSettings({}, modelsDir('{not json'))).toThrow(/ensemble.json: not JSON/);
    expect(() => loadEnsembleSettings({}, modelsDir({ ...file, weights: { lgbm: 1 } }))).toThrow(/weights\.clip/);
    expect(() => loadEnsembleSettings({ CASCADE_BAND: '1-0' }, modelsDir())).toThrow(/invalid gateway configuration: CASCADE_BAND/);
  });

  it('the committed models/ensemble.json (when present) is valid', () => {
    const repoModels = join(__dirname, '..', '..', '..', 'models');
    const s = loadEnsembleSettings({}, repoModels);
    expect(s.weights.lgbm + s.weights.clip).toBeCloseTo(1, 12);
  });
});
