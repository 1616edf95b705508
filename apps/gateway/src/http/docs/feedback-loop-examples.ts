import type { BatchResponse, FeedbackRequest, FeedbackResponse } from '@cataract/contracts';
import { ensembleExample, predictionExample } from './examples';

/** Examples of POST /predict_batch and POST /feedback (checked against the contracts' schemas in the tests). */
const BATCH_ID = '0b6d1f0e-52a8-4c1e-9a3e-7c2d4b1a9f60';

export const batchExample: BatchResponse = {
  model_used: 'lgbm',
  results: [
    { ...predictionExample('lgbm'), request_id: `${BATCH_ID}:0` },
    { error: { code: 'unsupported_format', message: 'not a JPEG, PNG or WebP image' }, status: 415, request_id: `${BATCH_ID}:1` },
    { ...predictionExample('lgbm'), prediction: 'normal', confidence: 0.8811, probabilities: { cataract: 0.1189, normal: 0.8811 }, request_id: `${BATCH_ID}:2` },
  ],
  summary: { total: 3, ok: 2, failed: 1, counts: { cataract: 1, normal: 1 }, mean_confidence: 0.8972 },
  request_id: BATCH_ID,
  processing_time: 0.0913,
  timestamp: '2026-02-01T10:00:00.250Z',
};

export const ensembleBatchItemExample = { ...ensembleExample, request_id: `${BATCH_ID}:0` };

export const feedbackRequestExample: FeedbackRequest = { request_id: '6f1c2b8e-3d4a-4f5b-9c7d-2e1a0b9c8d7f', label: 'normal', note: 'slit-lamp exam: clear lens' };

export const feedbackExample: FeedbackResponse = {
  request_id: '6f1c2b8e-3d4a-4f5b-9c7d-2e1a0b9c8d7f',
  record_id: '20260201T100000250Z-3b0c9f7e-2a41-4d8e-b1c6-5e9d7a2f4c10',
  answered: 'cataract',
  review: { label: 'normal', note: 'slit-lamp exam: clear lens', reviewer_key_id: 'ab12cd34', reviewed_at: '2026-02-02T08:30:00.000Z' },
  changed: true,
};
