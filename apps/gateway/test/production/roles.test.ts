import express, { RequestHandler } from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/http/middleware/error-handler';
import { keyId } from '../../src/http/security/api-keys';
import type { RefusalHandler } from '../../src/http/security/auth-failures';
import { identifyOperator, requireAdmin, requireClient } from '../../src/http/security/role-guards';
import { Roles, type RoleOptions } from '../../src/http/security/roles';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Records every refusal the guards hand to the per-address counter. */
function counting() {
  const refusals: number[] = [];
  const refuse: RefusalHandler = (_req, _res, next, refusal) => {
    refusals.push(refusal.status);
    next(refusal);
  };
  return { refuse, refusals };
}

function app(guard: RequestHandler) {
  const a = express();
  a.get('/x', guard, (_req, res) => res.json({ keyId: res.locals.apiKeyId ?? null, admin: res.locals.admin ?? false }));
  a.use(errorHandler);
  return a;
}

const roles = (opts: Partial<RoleOptions>) => new Roles({ apiKeys: [], adminKeys: [], ...opts });
const ALL = { apiKeys: ['c1', 'c2'], adminKeys: ['a1'], basic: { user: 'ops', password: 'pw' } };

describe('roles', () => {
  it('tells clients, operators, wrong and absent credentials apart, in every header', () => {
    const r = roles(ALL);
    const who = (headers: Record<string, string>) => r.identify({ headers } as never);
    expect(who({})).toEqual({ kind: 'anonymous' });
    expect(who({ 'x-api-key': 'c1' })).toEqual({ kind: 'client', keyId: keyId('c1') });
    expect(who({ authorization: 'Bearer c2' })).toEqual({ kind: 'client', keyId: keyId('c2') });
    expect(who({ authorization: basic('x', 'c1') })).toEqual({ kind: 'client', keyId: keyId('c1') });
    expect(who({ 'x-api-key': 'a1' })).toEqual({ kind: 'admin', keyId: keyId('a1') });
    expect(who({ authorization: basic('anyone', 'a1') })).toEqual({ kind: 'admin', keyId: keyId('a1') });
    expect(who({ authorization: basic('ops', 'pw') })).toEqual({ kind: 'admin', keyId: 'dashboard-user' });
    expect(who({ authorization: basic('ops', 'nope') })).toEqual({ kind: 'invalid', scheme: 'Basic' });
    expect(who({ 'x-api-key': 'nope' })).toEqual({ kind: 'invalid', scheme: 'Bearer' });
    expect(r.clientAuth && r.adminAuth && r.anyAuth).toBe(true);
    expect(roles({}).anyAuth).toBe(false);
  });

  describe('requireClient (the predictions)', () => {
    it('401 without a key, 403 for a wrong one (both counted per address), without echoing it', async () => {
      const { refuse, refusals } = counting();
      const a = app(requireClient(roles(ALL), refuse));
      const none = await request(a).get('/x');
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) }, request_id: expect.any(String) });
      for (const headers of [{ 'X-API-Key': 'nope-secret' }, { Authorization: 'Bearer nope-secret' }]) {
        const r = await request(a).get('/x').set(headers);
        expect(r.status).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
        expect(JSON.stringify(r.body)).not.toContain('nope-secret');
      }
      expect(refusals).toEqual([401, 403, 403]);
    });

    it('passes a client key from either header and records its id, never the key; refuses an operator credential', async () => {
      const a = app(requireClient(roles(ALL), counting().refuse));
      expect((await request(a).get('/x').set('X-API-Key', 'c1')).body).toEqual({ keyId: keyId('c1'), admin: false });
      expect((await request(a).get('/x').set('Authorization', 'Bearer c2')).body).toEqual({ keyId: keyId('c2'), admin: false });
      const admin = await request(a).get('/x').set('X-API-Key', 'a1');
      expect(admin.status).toBe(403);
      expect(admin.body.error.message).toMatch(/client key/);
    });

    it('is a no-op without API_KEYS', async () => {
      const r = await request(app(requireClient(roles({ adminKeys: ['a1'] }), counting().refuse))).get('/x');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ keyId: null, admin: false });
    });
  });

  describe('requireAdmin (/metrics, the dashboard)', () => {
    it('never takes a client key; takes an admin key or the dashboard user', async () => {
      const a = app(requireAdmin(roles(ALL), counting().refuse));
      for (const auth of [{ 'X-API-Key': 'c1' }, { Authorization: 'Bearer c1' }, { Authorization: basic('x', 'c1') }]) {
        const r = await request(a).get('/x').set(auth);
        expect(r.status).toBe(403);
        expect(r.body.error.message).toMatch(/operator credential/);
      }
      expect((await request(a).get('/x')).status).toBe(401);
      expect((await request(a).get('/x').set('X-API-Key', 'a1')).body).toEqual({ keyId: keyId('a1'), admin: true });
      expect((await request(a).get('/x').set('Authorization', basic('ops', 'pw'))).body).toEqual({ keyId: 'dashboard-user', admin: true });
    });

    it('is closed to everyone when clients have keys but no operator credential exists', async () => {
      const a = app(requireAdmin(roles({ apiKeys: ['c1'] }), counting().refuse));
      for (const r of [await request(a).get('/x'), await request(a).get('/x').set('X-API-Key', 'c1')]) {
        expect(r.status).toBe(403);
        expect(r.body.error.message).toMatch(/ADMIN_KEYS/);
      }
    });

    it('is open while no credential at all is configured (a local trial)', async () => {
      expect((await request(app(requireAdmin(roles({}), counting().refuse))).get('/x')).status).toBe(200);
    });
  });

  describe('identifyOperator (/health)', () => {
    it('marks operators only; anonymous and client requests pass without the detail; wrong credentials are refused', async () => {
      const { refuse, refusals } = counting();
      const a = app(identifyOperator(roles(ALL), refuse));
      expect((await request(a).get('/x')).body.admin).toBe(false);
      expect((await request(a).get('/x').set('X-API-Key', 'c1')).body.admin).toBe(false);
      expect((await request(a).get('/x').set('X-API-Key', 'a1')).body.admin).toBe(true);
      expect((await request(a).get('/x').set('X-API-Key', 'guess')).status).toBe(403);
      expect(refusals).toEqual([403]);
      expect((await request(app(identifyOperator(roles({}), refuse))).get('/x')).body.admin).toBe(true);
    });
  });
});
