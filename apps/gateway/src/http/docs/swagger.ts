import { Request, Response, Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { EndpointInfo } from '../routes/endpoint';

/**
 * GET /openapi.json and the Swagger UI at /docs/ (assets from the swagger-ui-dist package, no CDN).
 * Both are public: the document holds no secrets, and its "Try it out" calls send the key entered
 * under Authorize, which the API itself checks.
 */
export function docsRouter(document: object): { router: Router; endpoints: EndpointInfo[] } {
  const router = Router();
  const json = JSON.stringify(document);
  router.get('/openapi.json', (_req: Request, res: Response) => {
    res.type('application/json').set('Cache-Control', 'no-cache').send(json);
  });
  // The UI's asset links are relative: /docs must end with a slash to resolve them.
  router.get('/docs', (req: Request, res: Response, next) => {
    if (req.originalUrl === '/docs' || req.originalUrl.startsWith('/docs?')) return res.redirect(301, '/docs/');
    next();
  });
  const uiOptions = {
    customSiteTitle: 'Cataract Cluster API',
    swaggerOptions: {
      url: '/openapi.json',
      validatorUrl: null, // no third-party validator badge
      persistAuthorization: false, // the key stays in the page's memory, never in localStorage
    },
  };
  // serveFiles answers swagger-ui-init.js with these options, setup the page itself.
  router.use('/docs', swaggerUi.serveFiles(undefined, uiOptions), swaggerUi.setup(undefined, uiOptions));
  return {
    router,
    endpoints: [
      { method: 'GET', path: '/openapi.json', description: 'OpenAPI 3 document' },
      { method: 'GET', path: '/docs/', description: 'Swagger UI (try it with an API key)' },
    ],
  };
}
