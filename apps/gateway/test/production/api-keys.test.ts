import { createHash } from 'node:crypto';
import { ApiKeyRing, keyId, parseApiKeys, presentedKey } from '../../src/http/security/api-keys';

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
});
