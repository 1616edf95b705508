import { formatDuration, formatPercent } from '../src/format';
import type { PredictionResponse } from '../src/prediction';
import { toResultModel } from '../src/result-model';
import { parseRetryAfter } from '../src/retry-after';
import { describeModels } from '../src/service-info';

const answer = (pCataract: number, version: string) => ({
  prediction: pCataract >= 0.5 ? ('cataract' as const) : ('normal' as const),
  confidence: Math.max(pCataract, 1 - pCataract),
  probabilities: { cataract: pCataract, normal: 1 - pCataract },
  model_version: version,
});

const ensemble = (over: Partial<PredictionResponse>): PredictionResponse => ({
  ...answer(0.7, 'ens-1'),
  model_used: 'ensemble',
  processing_time: 0.125,
  request_id: 'req-1',
  strategy: 'weighted',
  models: { clip: answer(0.8, 'clip-3'), lgbm: answer(0.6, 'lgbm-2') },
  ...over,
});

describe('toResultModel', () => {
  it('lists both models in a fixed order with versions and P(cataract)', () => {
    const m = toResultModel({ response: ensemble({}), fellBack: false });
    expect(m).toMatchObject({ verdict: 'cataract', pCataract: 0.7, processingSeconds: 0.125, requestId: 'req-1', notes: [] });
    expect(m.rows.map((r) => [r.key, r.label, r.version, r.state, r.answer?.pCataract])).toEqual([
      ['lgbm', 'LightGBM', 'lgbm-2', 'answered', 0.6],
      ['clip', 'CLIP', 'clip-3', 'answered', 0.8],
    ]);
  });

  it('explains a cascade that answered from LightGBM alone, and shows CLIP as not asked', () => {
    const response = ensemble({
      strategy: 'cascade',
      models: { lgbm: answer(0.04, 'lgbm-2') },
      cascade: { band: [0.2, 0.8], lgbm_p: 0.04, clip_called: false },
    });
    const m = toResultModel({ response, fellBack: false });
    expect(m.notes).toEqual([
      'Cascade: LightGBM was sure enough (probability of cataract 4%, outside the unsure band 20%–80%), so CLIP was not asked.',
    ]);
    expect(m.rows.find((r) => r.key === 'clip')).toMatchObject({ state: 'skipped', status: expect.stringContaining('Not asked') });
  });

  it('explains a cascade that had to ask CLIP', () => {
    const response = ensemble({ strategy: 'cascade', cascade: { band: [0.2, 0.8], lgbm_p: 0.6, clip_called: true } });
    const m = toResultModel({ response, fellBack: false });
    expect(m.notes[0]).toBe('Cascade: LightGBM was unsure (probability of cataract 60%, inside the unsure band 20%–80%), so CLIP was asked as well.');
  });

  it('still explains the cascade from the members when the server sends no cascade record', () => {
    const m = toResultModel({ response: ensemble({ strategy: 'cascade' }), fellBack: false });
    expect(m.notes[0]).toBe('Cascade: LightGBM was unsure (probability of cataract 60%), so CLIP was asked as well.');
    const failedFirst = ensemble({ strategy: 'cascade', models: { lgbm: { error: { code: 'NO_ACTOR' } }, clip: answer(0.8, 'clip-3') } });
    expect(toResultModel({ response: failedFirst, fellBack: false }).notes[0]).toBe('Cascade: LightGBM did not answer, so the answer had to come from CLIP.');
  });

  it('formats the ensemble weights', () => {
    expect(toResultModel({ response: ensemble({ weights: { clip: 0.65, lgbm: 0.35 } }), fellBack: false }).weights).toBe('LightGBM 0.35 · CLIP 0.65');
  });

  it('shows a failed model and says the answer is degraded', () => {
    const response = ensemble({ degraded: true, models: { lgbm: answer(0.6, 'lgbm-2'), clip: { error: { code: 'TIMEOUT', message: 'clip timed out' } } } });
    const m = toResultModel({ response, fellBack: false });
    expect(m.rows[1]).toMatchObject({ key: 'clip', state: 'failed', status: 'Failed: clip timed out' });
    expect(m.notes).toEqual(['Only part of the ensemble answered (CLIP failed); the verdict comes from the models that did answer.']);
  });

  it('shows a single-model answer as one row and says why (fallback)', () => {
    const { models: _models, strategy: _strategy, ...single } = ensemble({ model_used: 'lgbm', model_version: 'lgbm-2' });
    const m = toResultModel({ response: single as PredictionResponse, fellBack: true });
    expect(m.rows).toEqual([expect.objectContaining({ key: 'lgbm', version: 'lgbm-2', state: 'answered' })]);
    expect(m.notes[0]).toContain('no ensemble endpoint');
  });
});

describe('formatting', () => {
  it('never rounds a non-certain probability to 0% or 100%', () => {
    expect([0, 0.004, 0.5, 0.996, 1].map(formatPercent)).toEqual(['0%', '<1%', '50%', '>99%', '100%']);
  });

  it('shows durations in ms below a second', () => {
    expect([0.0004, 0.2315, 1.5].map(formatDuration)).toEqual(['1 ms', '232 ms', '1.50 s']);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('describeModels', () => {
  it('reads models as a map or a list', () => {
    expect(describeModels({ models: { lgbm: { version: 'a' }, clip: 'b' } })).toBe('Models on this service: LightGBM a · CLIP b.');
    expect(describeModels({ models: [{ name: 'lgbm', model_version: 'a' }] })).toBe('Models on this service: LightGBM a.');
    expect(describeModels({ models: { lgbm: { version: 'a', served: true }, clip: { version: null, served: false } } })).toBe(
      'Models on this service: LightGBM a · CLIP (not served).',
    );
    expect(describeModels({ status: 'ok' })).toBeUndefined();
  });
});
