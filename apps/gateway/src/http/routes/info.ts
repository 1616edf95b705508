import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MODEL_TYPES, ModelType } from '@cataract/contracts';
import express, { Request, Response, Router } from 'express';
import type { ActorRegistry } from '../../dispatch/actor-registry';
import type { ModelCatalog } from '../../dispatch/model-catalog';
import type { EndpointInfo } from './endpoint';

export interface InfoDeps {
  name: string;
  version: string;
  description: string;
  servedModels: readonly ModelType[];
  catalog: ModelCatalog;
  registry: ActorRegistry;
  webDistDir: string;
  /** Every endpoint of the app, known once all routers are built. */
  endpoints: () => EndpointInfo[];
}

/** GET /: API information as JSON, or the browser page when the client prefers HTML and it is built. */
export function infoRouter(deps: InfoDeps): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const page = join(deps.webDistDir, 'index.html');

  router.get('/', async (req: Request, res: Response) => {
    res.vary('Accept');
    if (req.accepts(['json', 'html']) === 'html' && existsSync(page)) {
      res.sendFile(page);
      return;
    }
    const snapshot = await deps.registry.snapshot().catch(() => undefined);
    const models = Object.fromEntries(
      await Promise.all(
        MODEL_TYPES.map(async (t) => {
          const info = await deps.catalog.get(t);
          const live = snapshot?.[t] ?? [];
          return [
            t,
            {
              served: deps.servedModels.includes(t),
              version: info?.version ?? null,
              runtime: info?.runtime ?? null,
              threshold: info?.threshold ?? null,
              actors: live.length,
              actor_versions: [...new Set(live.map((a) => a.model_version))],
            },
          ] as const;
        }),
      ),
    );
    res.json({
      name: deps.name,
      version: deps.version,
      description: deps.description,
      endpoints: deps.endpoints(),
      models,
    });
  });

  // The built web page's assets; absent until apps/web is built (then 404 like any unknown path).
  router.use('/ui', express.static(deps.webDistDir, { index: 'index.html', fallthrough: true }));

  return {
    router,
    endpoints: [
      { method: 'GET', path: '/', description: 'this API information (JSON), or the web page for browsers' },
      { method: 'GET', path: '/ui/', description: 'the web page' },
    ],
  };
}
