import { recordReview, reviewEntries } from '../src/drift';

const sidecar = (review?: unknown) => ({
  schema_version: 1,
  request_id: 'req-1',
  results: {
    lgbm: { prediction: 'normal', confidence: 0.8, probabilities: { cataract: 0.2, normal: 0.8 }, model_version: 'lgbm-a', actor_id: 'x' },
    clip: { prediction: 'cataract', confidence: 0.9, probabilities: { cataract: 0.9, normal: 0.1 }, model_version: 'clip-b', actor_id: 'y' },
  },
  ...(review !== undefined && { review }),
});

describe('reviewEntries (what a reviewed sidecar tells drift monitoring)', () => {
  it('one entry per model that answered: right or wrong against the reviewed label', () => {
    expect(reviewEntries(sidecar({ label: 'cataract', reviewer_key_id: 'k1', reviewed_at: '2026-12-07T12:00:00Z' }))).toEqual([
      { model: 'lgbm', version: 'lgbm-a', requestId: 'req-1', correct: false },
      { model: 'clip', version: 'clip-b', requestId: 'req-1', correct: true },
    ]);
  });

  it('nothing for a sidecar without a review, with a bad label, or that is not a sidecar', () => {
    expect(reviewEntries(sidecar())).toEqual([]);
    expect(reviewEntries(sidecar({ label: 'glaucoma' }))).toEqual([]);
    expect(reviewEntries(null)).toEqual([]);
    expect(reviewEntries('x')).toEqual([]);
  });

  it('skips a member that kept an error instead of an answer, and result keys that are not model types', () => {
    const s = sidecar({ label: 'normal' });
    (s.results as Record<string, unknown>).clip = { error: { code: 'no_actor', message: 'none' } };
    (s.results as Record<string, unknown>).ensemble = { prediction: 'normal', model_version: 'lgbm:a+clip:b' };
    expect(reviewEntries(s)).toEqual([{ model: 'lgbm', version: 'lgbm-a', requestId: 'req-1', correct: true }]);
  });

  it('the feedback hook records the entries and never throws, even when Redis fails', async () => {
    const recorded: unknown[] = [];
    const errors: Error[] = [];
    await recordReview({ recordReviews: async (e) => void recorded.push(...e) }, (err) => errors.push(err))(sidecar({ label: 'normal' }));
    expect(recorded).toHaveLength(2);
    await expect(
      recordReview({ recordReviews: () => Promise.reject(new Error('redis down')) }, (err) => errors.push(err))(sidecar({ label: 'normal' })),
    ).resolves.toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual(['redis down']);
  });
});
