import {
  ActorHeartbeatSchema,
  decide,
  ERROR_CODES,
  IMAGE_REJECTION_CODES,
  manifestPath,
  ModelManifestSchema,
  MODEL_TYPES,
  parseModelTypeList,
  PredictJobDataSchema,
  PredictJobResultSchema,
  QUEUE_NAMES,
  redisKeys,
  ReplyMessageSchema,
} from '@cataract/contracts';

const lgbmManifest = {
  name: 'lgbm',
  version: 'lgbm-20261126-abcdef01',
  runtime: 'lightgbm',
  file: 'model.txt',
  sha256: 'a'.repeat(64),
  labels: ['normal', 'cataract'],
  positive_label: 'cataract',
  threshold: 0.5,
  created: '2026-11-26T12:00:00.000Z',
  feature_set: { name: 'eye-stats', version: '1' },
  training: { seed: 1 },
  metrics: { validation: { accuracy: 0.9 } },
};

describe('model types and queues', () => {
  it('names one queue per model type', () => {
    expect(MODEL_TYPES).toEqual(['lgbm', 'clip']);
    for (const t of MODEL_TYPES) expect(QUEUE_NAMES[t]).toBe(t);
  });
  it('parses SERVED_MODELS lists, dropping blanks and duplicates', () => {
    expect(parseModelTypeList('lgbm, clip,lgbm,')).toEqual(['lgbm', 'clip']);
    expect(parseModelTypeList('')).toEqual([]);
    expect(() => parseModelTypeList('lgbm,resnet')).toThrow(/resnet/);
  });
});

describe('decide', () => {
  it('picks cataract at or above the threshold and reports the predicted class probability', () => {
    expect(decide(0.8, 0.5)).toEqual({ prediction: 'cataract', confidence: 0.8, probabilities: { cataract: 0.8, normal: 0.19999999999999996 } });
    const n = decide(0.3, 0.5);
    expect(n.prediction).toBe('normal');
    expect(n.confidence).toBeCloseTo(0.7);
    expect(decide(0.5, 0.5).prediction).toBe('cataract');
    expect(decide(0.4, 0.35).confidence).toBe(0.4);
  });
  it('refuses non-probabilities', () => {
    expect(() => decide(Number.NaN, 0.5)).toThrow(RangeError);
    expect(() => decide(1.2, 0.5)).toThrow(RangeError);
  });
});

describe('job schemas', () => {
  const data = { uploadKey: 'cataract:upload:1', requestId: 'r1', deadline: Date.now() + 1000, replyTo: 'cataract:replies:g1' };
  it('accepts a well-formed payload and rejects missing fields', () => {
    expect(PredictJobDataSchema.parse(data)).toEqual(data);
    expect(PredictJobDataSchema.safeParse({ ...data, deadline: 'soon' }).success).toBe(false);
    expect(PredictJobDataSchema.safeParse({ ...data, uploadKey: '' }).success).toBe(false);
  });
  it('takes only an upload key as uploadKey (an actor reads it and may delete it)', () => {
    expect(PredictJobDataSchema.safeParse({ ...data, uploadKey: redisKeys.upload('0b5e2f3a-1c1d-4a39-9d0e-8f1f2c3d4e5f') }).success).toBe(true);
    for (const uploadKey of ['bull:lgbm:meta', 'cataract:actors:lgbm', 'cataract:upload:a:b', 'cataract:upload:../x', 'xcataract:upload:1', 'cataract:upload:1\n']) {
      expect({ uploadKey, ok: PredictJobDataSchema.safeParse({ ...data, uploadKey }).success }).toEqual({ uploadKey, ok: false });
    }
  });
  it('discriminates ok and rejected results', () => {
    const ok = { status: 'ok', prediction: 'normal', confidence: 0.6, probabilities: { cataract: 0.4, normal: 0.6 }, model_version: 'v', actor_id: 'a' };
    expect(PredictJobResultSchema.parse(ok)).toEqual(ok);
    const rej = { status: 'rejected', error: { code: 'undecodable_image', message: 'truncated' }, actor_id: 'a' };
    expect(PredictJobResultSchema.parse(rej)).toEqual(rej);
    expect(PredictJobResultSchema.safeParse({ ...rej, error: { code: 'timeout', message: '' } }).success).toBe(false);
    expect(PredictJobResultSchema.safeParse({ ...ok, prediction: 'glaucoma' }).success).toBe(false);
  });
  it('reply messages carry a result or a failure', () => {
    expect(ReplyMessageSchema.safeParse({ outcome: 'failed', jobId: 'j', message: 'boom' }).success).toBe(true);
    expect(ReplyMessageSchema.safeParse({ outcome: 'completed', jobId: 'j' }).success).toBe(false);
  });
  it('image rejection codes are API error codes', () => {
    for (const c of IMAGE_REJECTION_CODES) expect(ERROR_CODES).toContain(c);
  });
});

describe('manifest schema', () => {
  it('accepts a lightgbm manifest and keeps unknown fields', () => {
    const m = ModelManifestSchema.parse({ ...lgbmManifest, extra: 1 });
    expect(m.runtime).toBe('lightgbm');
    expect((m as Record<string, unknown>).extra).toBe(1);
  });
  it('requires the runtime-specific fields', () => {
    const { feature_set: _drop, ...noFs } = lgbmManifest;
    expect(ModelManifestSchema.safeParse(noFs).success).toBe(false);
    const onnx = {
      ...lgbmManifest,
      name: 'clip',
      runtime: 'onnx',
      file: 'model.onnx',
      input: { name: 'pixel_values', layout: 'NCHW', width: 224, height: 224, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], resize: 'cover' },
      output: { name: 'probs', kind: 'logits' },
    };
    expect(ModelManifestSchema.safeParse(onnx).success).toBe(true);
    expect(ModelManifestSchema.safeParse({ ...onnx, input: { ...onnx.input, channels: 4 } }).success).toBe(false);
  });
  it('refuses bad hashes, paths outside the model dir and label sets without the positive label', () => {
    expect(ModelManifestSchema.safeParse({ ...lgbmManifest, sha256: 'xyz' }).success).toBe(false);
    expect(ModelManifestSchema.safeParse({ ...lgbmManifest, file: '../other/model.txt' }).success).toBe(false);
    expect(ModelManifestSchema.safeParse({ ...lgbmManifest, labels: ['normal', 'normal'] }).success).toBe(false);
    expect(ModelManifestSchema.safeParse({ ...lgbmManifest, runtime: 'tensorflow' }).success).toBe(false);
  });
  it('locates the manifest under MODELS_DIR', () => {
    expect(manifestPath('/srv/models/', 'lgbm')).toBe('/srv/models/lgbm/manifest.json');
  });
});

describe('heartbeats and keys', () => {
  it('validates heartbeat records', () => {
    const hb = { id: 'h-1', model: 'lgbm', pid: 42, host: 'h', model_version: 'v', started: new Date().toISOString(), last_seen: new Date().toISOString(), jobs_done: 0, concurrency: 8 };
    expect(ActorHeartbeatSchema.parse(hb)).toEqual(hb);
    expect(ActorHeartbeatSchema.safeParse({ ...hb, pid: -1 }).success).toBe(false);
  });
  it('namespaces keys per model type and instance', () => {
    expect(redisKeys.actor('lgbm', 'a1')).not.toBe(redisKeys.actor('clip', 'a1'));
    expect(redisKeys.actor('lgbm', 'a1').startsWith(redisKeys.actorIndex('lgbm'))).toBe(true);
    expect(redisKeys.upload('u')).toMatch(/upload:u$/);
    expect(redisKeys.replyChannel('g')).toMatch(/replies:g$/);
  });
});
