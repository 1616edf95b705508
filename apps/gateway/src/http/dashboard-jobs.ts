import { PredictJobDataSchema } from '@cataract/contracts';
import express, { NextFunction, Request, Response, Router } from 'express';
import { InvalidJobDataError } from '../errors/dashboard-errors';

/**
 * Job data the dashboard may write: a job added (POST .../add, `{ name, data, options }`) or edited
 * (PATCH .../:jobId/update-data, `{ jobData }`) must be a prediction job by the same schema the
 * actors check (PredictJobDataSchema: the upload key an upload key, a reply channel, a deadline),
 * so the dashboard cannot be used to make an actor read or delete any other Redis key. The actors
 * check every job they take again, whoever added it.
 */
export function dashboardJobValidation(): Router {
  const router = Router();
  const parse = express.json({ limit: '64kb' });
  const json = (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (err?: unknown) => next(err === undefined ? undefined : new InvalidJobDataError(`the body is not a JSON object of at most 64 KB (${(err as Error).message})`)));
  router.post('/api/queues/:queueName/add', json, check((body) => body?.data));
  router.patch('/api/queues/:queueName/:jobId/update-data', json, check((body) => body?.jobData));
  return router;
}

function check(dataOf: (body: Record<string, unknown> | undefined) => unknown) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const parsed = PredictJobDataSchema.safeParse(dataOf(req.body as Record<string, unknown> | undefined));
    if (parsed.success) return next();
    next(new InvalidJobDataError(parsed.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`).join('; ')));
  };
}
