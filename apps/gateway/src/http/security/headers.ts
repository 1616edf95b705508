import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's protective headers with a Content-Security-Policy that fits what the gateway serves:
 * its own web page, Swagger UI and the queue dashboard, all from this origin (no CDN). Styles may
 * be inline (both UIs use style attributes); fonts and styles from other origins are refused, so
 * the dashboard's web-font link is not fetched and no page reports visits to a third party.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'style-src': ["'self'", "'unsafe-inline'"],
        'font-src': ["'self'", 'data:'],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        // Plain-HTTP deployments (localhost:8001) would have every same-origin asset rewritten to https.
        'upgrade-insecure-requests': null,
      },
    },
    // The API is called cross-origin when CORS_ORIGINS allows it; same-site would refuse those reads.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
}
