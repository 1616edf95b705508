import type { IncomingMessage } from 'node:http';
import { decodeCostUnits } from '@cataract/imaging';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { BATCH_FIELD, BatchTooLargeError, BatchTooManyFilesError, HttpError, NoFileError, UnexpectedFieldError } from '../errors';
import { probeImage, toUploadError, type UploadedImage } from './upload';

/** One photo of a batch after the header check: accepted, or refused with its own error. */
export type BatchPhoto = { ok: true; upload: UploadedImage } | { ok: false; error: HttpError };

declare module 'express-serve-static-core' {
  interface Locals {
    /** POST /predict_batch: the photos in the order sent. */
    batch?: BatchPhoto[];
    /**
     * Decode-cost units of the whole request when it holds several images (fair-share.ts charges
     * this instead of the single upload's cost).
     */
    decodeCost?: number;
  }
}

export interface BatchUploadOptions {
  /** MAX_BATCH_FILES. */
  maxFiles: number;
  /** MAX_UPLOAD_MB, per photo (413 file_too_large for the whole batch: multer stops reading there). */
  maxBytes: number;
  /** MAX_BATCH_MB: the whole body (413 batch_too_large). */
  maxTotalBytes: number;
  maxPixels?: number;
}

const EXPECTED = `the photos in the repeated field "${BATCH_FIELD}"`;

/**
 * The upload of POST /predict_batch: multer in memory with the single route's limits per photo,
 * MAX_BATCH_FILES photos in field `images`, and MAX_BATCH_MB for the whole body, checked from
 * Content-Length before anything is read and counted while it streams (a chunked body has no
 * length): over it, the answer is 413 at once and the connection is closed rather than drained.
 * Then each photo gets the single route's header check; a refused photo keeps its own 415 and does
 * not fail the others. Fills res.locals.batch and res.locals.decodeCost.
 */
export function batchUpload(opts: BatchUploadOptions): RequestHandler[] {
  const tooLarge = () => new BatchTooLargeError(opts.maxTotalBytes);

  const declared: RequestHandler = (req, _res, next) => {
    const length = Number(req.headers['content-length']);
    next(Number.isFinite(length) && length > opts.maxTotalBytes ? tooLarge() : undefined);
  };

  const receive: RequestHandler = (req, res, next) => {
    let settled = false;
    const once = (err?: unknown) => {
      if (settled) return;
      settled = true;
      next(err);
    };
    const parse = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: opts.maxBytes, files: opts.maxFiles, fields: 16, fieldSize: 64 * 1024, parts: opts.maxFiles + 16, headerPairs: 100 },
      streamHandler: (stream: IncomingMessage, busboy: NodeJS.WritableStream) => {
        let seen = 0;
        const count = (chunk: Buffer) => {
          seen += chunk.length;
          if (seen <= opts.maxTotalBytes) return;
          stream.off('data', count);
          stream.unpipe(busboy);
          stream.resume(); // discard the rest until the connection closes after the 413
          once(tooLarge());
        };
        stream.pipe(busboy);
        stream.on('data', count);
      },
    } as multer.Options).array(BATCH_FIELD, opts.maxFiles);
    parse(req, res, (err?: unknown) => once(err === undefined ? undefined : batchError(err, opts)));
  };

  const check = (req: Request, res: Response, next: NextFunction): void => {
    const files = (req.files ?? []) as Express.Multer.File[];
    if (files.length === 0) return next(new NoFileError(EXPECTED));
    let cost = 0;
    res.locals.batch = files.map((file): BatchPhoto => {
      try {
        const upload: UploadedImage = { buffer: file.buffer, field: BATCH_FIELD, filename: file.originalname, probe: probeImage(file.buffer, opts.maxPixels) };
        cost += decodeCostUnits(upload.probe);
        return { ok: true, upload };
      } catch (err) {
        if (err instanceof HttpError) return { ok: false, error: err };
        throw err;
      }
    });
    res.locals.decodeCost = cost;
    next();
  };

  return [declared, receive, check];
}

function batchError(err: unknown, opts: BatchUploadOptions): Error {
  if (err instanceof MulterError) {
    if (err.code === 'LIMIT_FILE_COUNT') return new BatchTooManyFilesError(opts.maxFiles);
    // .array() reports the photo past maxCount as an unexpected file of the right field
    if (err.code === 'LIMIT_UNEXPECTED_FILE' && err.field === BATCH_FIELD) return new BatchTooManyFilesError(opts.maxFiles);
    if (err.code === 'LIMIT_UNEXPECTED_FILE') return new UnexpectedFieldError(err.field, `"${BATCH_FIELD}" (repeated, one photo each)`);
  }
  return toUploadError(err, opts.maxBytes);
}
