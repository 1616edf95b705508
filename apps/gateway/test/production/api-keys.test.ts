import { createHash } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/middleware/error-handler';
import { ApiKeyRing, keyId, parseApiKeys, presentedKey, requireApiKey } from '../../src/security/api-keys';

function app(ring: ApiKeyRing) {
  const a = express();
  a.use(requireApiKey(ring));
  a.get('/x', (_req, res) => res.json({ keyId: res.locals.apiKeyId ?? null }));
  a.use(errorHandler);
  return a;
}

describe('API keys', () => {
  it('parses API_KEYS: comma list, trimmed, no blanks or duplicates', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys(' k1 , k2,,k1 ,')).toEqual(['k1', 'k2']);
  });

  it('a key id is the first 8 hex digits of its SHA-256', () => {
    expect(keyId('k1')).toBe(createHash('sha256').update('k1').digest('hex').slice(0, 8));
    expect(keyId('k1')).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId('k1')).not.toBe(keyId('k2'));
  });

  it('identifies configured keys only, by id', () => {
    const ring = new ApiKeyRing(['alpha-key', 'beta-key']);
    expect(ring.enabled).toBe(true);
    expect(ring.identify('alpha-key')).toBe(keyId('alpha-key'));
    expect(ring.identify('beta-key')).toBe(keyId('beta-key'));
    for (const wrong of ['', 'alpha', 'alpha-key ', 'ALPHA-KEY', 'beta-key-x']) expect(ring.identify(wrong)).toBeUndefined();
    expect(new ApiKeyRing([]).enabled).toBe(false);
  });

  it('reads X-API-Key first, then Authorization: Bearer', () => {
    const req = (headers: Record<string, string>) => ({ headers }) as never;
    expect(presentedKey(req({ 'x-api-key': ' k ' }))).toBe('k');
    expect(presentedKey(req({ authorization: 'Bearer tok' }))).toBe('tok');
    expect(presentedKey(req({ authorization: 'bearer   tok' }))).toBe('tok');
    expect(presentedKey(req({ authorization: 'Basic dTpw' }))).toBeUndefined();
    expect(presentedKey(req({ authorization: 'Bearer ' }))).toBeUndefined();
    expect(presentedKey(req({}))).toBeUndefined();
  });

  describe('requireApiKey', () => {
    const ring = new ApiKeyRing(['k1', 'k2']);

    it('401 unauthorized without a key, with WWW-Authenticate and the JSON error shape', async () => {
      const r = await request(app(ring)).get('/x');
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) }, request_id: expect.any(String) });
    });

    it('403 forbidden for a wrong key in either header, without echoing it', async () => {
      for (const headers of [{ 'X-API-Key': 'nope-secret' }, { Authorization: 'Bearer nope-secret' }]) {
        const r = await request(app(ring)).get('/x').set(headers);
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
        expect(JSON.stringify(r.body)).not.toContain('nope-secret');
      }
    });

    it('passes a right key from either header and records its id, never the key', async () => {
      const a = await request(app(ring)).get('/x').set('X-API-Key', 'k1');
      expect(a.status).toBe(200);
      expect(a.body).toEqual({ keyId: keyId('k1') });
      const b = await request(app(ring)).get('/x').set('Authorization', 'Bearer k2');
      expect(b.status).toBe(200);
      expect(b.body).toEqual({ keyId: keyId('k2') });
    });

    it('is a no-op when no key is configured', async () => {
      const r = await request(app(new ApiKeyRing([]))).get('/x');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ keyId: null });
    });
  });
});
