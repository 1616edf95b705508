/**
 * docker-compose.yml against the gateway's and actors' configuration: every production setting
 * the compose file passes is one the services read, with the defaults Compose would substitute,
 * and the retained uploads and logs land on volumes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig as loadActorConfig } from '../../apps/actor/src/config';
import { loadConfig } from '../../apps/gateway/src/config';

const ROOT = path.resolve(__dirname, '..', '..');
interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  stop_grace_period?: string;
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const gateway = compose.services.gateway;

/** The environment as Compose resolves it with nothing set in the shell: `${NAME:-default}` -> default. */
const resolved = (env: Record<string, string> = {}, shell: Record<string, string> = {}) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_m, name: string, def: string) => shell[name] ?? def)]),
  );
const seconds = (s: string) => Number(/^(\d+)s$/.exec(s)?.[1]);

describe('docker-compose.yml and the production settings', () => {
  it('passes every production setting to the gateway, unset ones as their safe defaults', () => {
    expect(Object.keys(gateway.environment ?? {})).toEqual(
      expect.arrayContaining([
        'API_KEYS',
        'ADMIN_KEYS',
        'MAX_INFLIGHT_PER_CLIENT',
        'AUTH_FAILURES_PER_MINUTE',
        'RATE_LIMIT_PER_MINUTE',
        'CORS_ORIGINS',
        'TRUST_PROXY',
        'LOG_DIR',
        'LOG_LEVEL',
        'DASHBOARD_USER',
        'DASHBOARD_PASSWORD',
        'DASHBOARD_READ_ONLY',
        'SAVE_UPLOADS',
        'CUSTOMER_DATA_DIR',
        'CUSTOMER_DATA_MAX_DAYS',
        'REVIEWER_KEYS',
        'MAX_BATCH_FILES',
        'MAX_BATCH_MB',
        'DRIFT_MONITORING',
        'DRIFT_WINDOW_ANSWERS',
        'DRIFT_WINDOW_HOURS',
      ]),
    );
    const c = loadConfig(resolved(gateway.environment));
    expect(c.reviewerKeyIds).toEqual([]); // every client key may review unless REVIEWER_KEYS names some
    expect(c.batch).toEqual({ maxFiles: 16, maxTotalBytes: 64 * 1024 * 1024, concurrency: 4 });
    expect(c.drift).toMatchObject({ enabled: true, windowAnswers: 1000, windowHours: 24 }); // blank: the defaults
    expect(c.apiKeys).toEqual([]); // auth off unless API_KEYS is set (the gateway warns loudly)
    expect(c.adminKeys).toEqual([]);
    expect(c.maxInFlightPerClient).toBe(64);
    expect(c.authFailuresPerMinute).toBe(30);
    expect(c.corsOrigins).toEqual([]);
    expect(c.trustProxy).toBe(false);
    expect(c.dashboard).toEqual({ basic: undefined, readOnly: true });
    expect(c.logDir).toBe('/app/logs');
    expect(c.saveUploads).toBe(true); // as the original service did
    expect(c.customerDataDir).toBe('/app/customer_data');
    expect(c.customerDataMaxDays).toBeGreaterThan(0);
  });

  it('takes the operator’s values from the shell', () => {
    const c = loadConfig(
      resolved(gateway.environment, {
        API_KEYS: 'one,two',
        ADMIN_KEYS: 'ops-key',
        MAX_INFLIGHT_PER_CLIENT: '16',
        RATE_LIMIT_PER_MINUTE: '120',
        CORS_ORIGINS: 'https://clinic.example',
        TRUST_PROXY: '172.16.255.2',
        DASHBOARD_USER: 'ops',
        DASHBOARD_PASSWORD: 'pw',
        SAVE_UPLOADS: 'false',
        CUSTOMER_DATA_MAX_DAYS: '7',
      }),
    );
    expect(c).toMatchObject({
      apiKeys: ['one', 'two'],
      adminKeys: ['ops-key'],
      maxInFlightPerClient: 16,
      rateLimitPerMinute: 120,
      corsOrigins: ['https://clinic.example'],
      trustProxy: ['172.16.255.2'],
      dashboard: { basic: { user: 'ops', password: 'pw' }, readOnly: true },
      saveUploads: false,
      customerDataMaxDays: 7,
    });
  });

  it('keeps retained uploads and logs on named volumes, and the actors log there too', () => {
    expect(gateway.volumes).toEqual(expect.arrayContaining(['customer_data:/app/customer_data', 'logs:/app/logs']));
    for (const name of ['lgbm-actor', 'clip-actor']) {
      const s = compose.services[name];
      expect(s.volumes).toContain('logs:/app/logs');
      const env = resolved(s.environment);
      expect(env.LOG_DIR).toBe('/app/logs');
      expect(loadActorConfig(['--model', env.ACTOR_MODEL], env).logDir).toBe('/app/logs');
    }
  });

  it('trusts X-Forwarded-For from nginx alone: its fixed address on the edge network, inside that network\'s subnet', () => {
    const raw = compose as unknown as {
      services: Record<string, { networks?: unknown }>;
      networks: { edge: { ipam: { config: Array<{ subnet: string }> } } };
    };
    const nginx = raw.services.nginx.networks as { edge: { ipv4_address: string } };
    expect(raw.networks.edge.ipam.config[0].subnet).toBe('172.16.255.0/24');
    expect(nginx.edge.ipv4_address).toBe('172.16.255.2');
    // dynamic addresses (gateways joining before nginx) come from a range that excludes nginx's
    expect((raw.networks.edge.ipam.config[0] as { ip_range?: string }).ip_range).toBe('172.16.255.128/25');
    expect(raw.services.gateway.networks).toEqual(['default', 'edge']);
    expect(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')).toContain(`TRUST_PROXY=${nginx.edge.ipv4_address} docker-compose --profile lb`);
  });

  it('gives the gateway longer to stop than it takes to drain', () => {
    const c = loadConfig(resolved(gateway.environment));
    expect(seconds(gateway.stop_grace_period ?? '10s') * 1000).toBeGreaterThan(c.shutdownGraceMs);
  });
});
