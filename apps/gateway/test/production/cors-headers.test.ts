import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { corsPolicy, parseOrigins } from '../../src/http/security/cors';
import { securityHeaders } from '../../src/http/security/headers';
import { requireClient } from '../../src/http/security/role-guards';
import { Roles } from '../../src/http/security/roles';

function app(origins: string[]) {
  const a = express();
  a.use(securityHeaders());
  const c = corsPolicy(origins);
  if (c) a.use(c);
  a.use(requireClient(new Roles({ apiKeys: ['k1'], adminKeys: [] }), (_req, _res, next, refusal) => next(refusal)));
  a.post('/predict_lgbm', (_req, res) => res.json({ ok: true }));
  a.use(errorHandler);
  return a;
}

describe('CORS allowlist (CORS_ORIGINS)', () => {
  it('parses the list (trailing slashes dropped, blanks ignored)', () => {
    expect(parseOrigins(undefined)).toEqual([]);
    expect(parseOrigins(' https://a.example/ ,,http://b.example:8080')).toEqual(['https://a.example', 'http://b.example:8080']);
  });

  it('allows no cross-origin reads by default', async () => {
    expect(corsPolicy([])).toBeUndefined();
    const r = await request(app([])).post('/predict_lgbm').set('Origin', 'https://evil.example').set('X-API-Key', 'k1');
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows listed origins only, exposing the request id and rate-limit headers', async () => {
    const a = app(['https://clinic.example']);
    const ok = await request(a).post('/predict_lgbm').set('Origin', 'https://clinic.example').set('X-API-Key', 'k1');
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('https://clinic.example');
    expect(ok.headers['access-control-expose-headers']).toMatch(/X-Request-Id/);
    expect(ok.headers['access-control-expose-headers']).toMatch(/Retry-After/);
    const other = await request(a).post('/predict_lgbm').set('Origin', 'https://evil.example').set('X-API-Key', 'k1');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers preflights without a key (browsers never send one on OPTIONS), allowing X-API-Key', async () => {
    const r = await request(app(['https://clinic.example']))
      .options('/predict_lgbm')
      .set('Origin', 'https://clinic.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key');
    expect(r.status).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('https://clinic.example');
    expect(r.headers['access-control-allow-headers']).toMatch(/X-API-Key/i);
  });
});

describe('security headers (helmet)', () => {
  it('sets helmet’s headers with a same-origin CSP that plain HTTP deployments can use', async () => {
    const r = await request(app([])).post('/predict_lgbm').set('X-API-Key', 'k1');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const csp = r.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/style-src[^;]*https:/);
    expect(r.headers['x-powered-by']).toBeUndefined();
  });
});
