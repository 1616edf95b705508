import { CanaryBodySchema, ModelChange, ModelListing, PromoteBodySchema, ShadowBodySchema } from '@cataract/contracts';
import { ChangeReport, listAll, ModelControl, ModelStoreError } from '@cataract/model-store';
import express, { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { HttpError, RedisUnavailableError } from '../../errors';
import { modelStoreHttpError } from '../../errors/model-admin-errors';
import { isReady, type Redis } from '@cataract/service-kit';
import type { EndpointInfo } from './endpoint';

export const MODEL_ADMIN_PATH = '/admin/models';

export interface ModelAdminDeps {
  redis: Redis;
  modelsDir: string;
  /** The admin credential check (today the API key; an admin role when the deployment has one). */
  requireAdmin: RequestHandler;
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new HttpError(400, 'bad_request', `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const change = (r: ChangeReport): ModelChange => ({ type: r.type, state: r.state, actors: r.actors, switched: r.switched });

/**
 * The `npm run models` commands over HTTP, for operators without a shell next to Redis: list,
 * promote, canary, shadow, rollback, validate (a published version, without changing anything).
 * Behind the admin credential; a refusal answers its model-store code and changes nothing.
 */
export function modelAdminRouter(deps: ModelAdminDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const control = new ModelControl({ redis: deps.redis, modelsDir: deps.modelsDir });
  const handle =
    (fn: (req: Request) => Promise<unknown>): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        if (!isReady(deps.redis)) throw new RedisUnavailableError();
        res.set('Cache-Control', 'no-store').json(await fn(req));
      } catch (err) {
        next(err instanceof ModelStoreError ? modelStoreHttpError(err) : err);
      }
    };
  const type = (req: Request) => String(req.params.type);

  router.use(MODEL_ADMIN_PATH, deps.requireAdmin, express.json({ limit: '4kb' }));
  router.get(MODEL_ADMIN_PATH, handle(async (): Promise<ModelListing> => ({ models: await listAll(deps.redis, deps.modelsDir) })));
  router.post(`${MODEL_ADMIN_PATH}/:type/promote`, handle(async (req) => change(await control.promote(type(req), parseBody(PromoteBodySchema, req.body).version))));
  router.post(
    `${MODEL_ADMIN_PATH}/:type/canary`,
    handle(async (req) => {
      const body = parseBody(CanaryBodySchema, req.body);
      return change(await control.canary(type(req), body.version, body.percent));
    }),
  );
  router.post(`${MODEL_ADMIN_PATH}/:type/shadow`, handle(async (req) => change(await control.shadow(type(req), parseBody(ShadowBodySchema, req.body).version ?? undefined))));
  router.post(`${MODEL_ADMIN_PATH}/:type/rollback`, handle(async (req) => change(await control.rollback(type(req)))));
  router.post(
    `${MODEL_ADMIN_PATH}/:type/validate`,
    handle(async (req) => {
      const v = await control.validate(type(req), parseBody(PromoteBodySchema, req.body).version);
      return { type: v.location.type, version: v.location.version, runtime: v.manifest.runtime, valid: true as const };
    }),
  );
  return {
    router,
    endpoints: [
      { method: 'GET', path: MODEL_ADMIN_PATH, description: 'model versions, which serves, what each actor holds, shadow agreement (admin)' },
      { method: 'POST', path: `${MODEL_ADMIN_PATH}/{type}/promote`, description: 'make a version serve every request (admin)' },
      { method: 'POST', path: `${MODEL_ADMIN_PATH}/{type}/canary`, description: 'answer a percentage of requests with a version (admin)' },
      { method: 'POST', path: `${MODEL_ADMIN_PATH}/{type}/shadow`, description: 'run a version on a copy of live requests (admin)' },
      { method: 'POST', path: `${MODEL_ADMIN_PATH}/{type}/rollback`, description: 'end the canary, or back to the previous version (admin)' },
      { method: 'POST', path: `${MODEL_ADMIN_PATH}/{type}/validate`, description: 'check a published version without changing anything (admin)' },
    ],
  };
}
