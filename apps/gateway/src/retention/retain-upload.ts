import type { PredictionResult } from '@cataract/contracts';
import type { Request, Response } from 'express';
import { StorageUnavailableError } from '../errors/access-errors';
import type { UploadedImage } from '../http/upload';
import type { RecordIndex } from './record-index';
import type { RetainedResult, UploadStore, UploadToKeep } from './upload-store';

export type { RetainedResult };

export interface RetainEntry {
  endpoint: string;
  results: Record<string, RetainedResult>;
  answer: UploadToKeep['answer'];
  /** A batch photo: its own upload and request id (default: the request's). */
  upload?: UploadedImage;
  requestId?: string;
}

/** Keeps a request's upload before its answer is sent; routes call it only when SAVE_UPLOADS is on. */
export type RetainUpload = (req: Request, res: Response, entry: RetainEntry) => Promise<void>;

/**
 * Binds an UploadStore to the request: the upload the upload middleware accepted, the request id,
 * arrival time and key id. A failed write is a 503 storage_unavailable: the client gets no answer
 * for an image that was not kept (SAVE_UPLOADS promises that every answered upload is on disk).
 */
export function retainUpload(store: UploadStore, index?: Pick<RecordIndex, 'put'>): RetainUpload {
  return async (req, res, entry) => {
    const upload = entry.upload ?? res.locals.upload;
    if (!upload) throw new Error('retainUpload called without an accepted upload');
    const requestId = entry.requestId ?? String(req.id);
    const receivedAt = new Date(Date.now() - (performance.now() - res.locals.receivedAt));
    try {
      const kept = await store.keep({
        requestId,
        receivedAt,
        endpoint: entry.endpoint,
        keyId: res.locals.apiKeyId ?? null,
        bytes: upload.buffer,
        format: upload.probe.format,
        width: upload.probe.width,
        height: upload.probe.height,
        results: entry.results,
        answer: entry.answer,
      });
      req.log?.debug({ record: kept.id }, 'upload retained');
      // Not fatal: the record is on disk, and a feedback lookup that misses the index scans for it.
      await index?.put(requestId, kept.sidecarPath).catch((err: Error) => req.log?.warn({ err: err.message }, 'could not index the retained upload'));
    } catch (err) {
      req.log?.error({ err: (err as Error).message }, 'could not retain the upload');
      throw new StorageUnavailableError(err);
    }
  };
}

/** A model's answer as retained: its decision, probabilities, version and actor (no timings). */
export function retainedResult(r: Pick<PredictionResult, 'prediction' | 'confidence' | 'probabilities' | 'model_version' | 'actor_id'>): RetainedResult {
  return { prediction: r.prediction, confidence: r.confidence, probabilities: r.probabilities, model_version: r.model_version, actor_id: r.actor_id };
}
