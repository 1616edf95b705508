import cors from 'cors';
import type { RequestHandler } from 'express';

/** CORS_ORIGINS as given: comma-separated origins (scheme://host[:port]); `*` allows any origin. */
export function parseOrigins(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o.length > 0))];
}

/**
 * Cross-origin access for the listed origins only (none by default: browsers then allow only
 * same-origin pages such as the gateway's own /ui). Preflights are answered here, before any
 * authentication, since browsers never send credentials on them. Undefined when nothing is allowed.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  return cors({
    origin: any ? '*' : [...origins],
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'Authorization', 'X-Request-Id'],
    exposedHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'RateLimit-Policy'],
    maxAge: 600,
  });
}
