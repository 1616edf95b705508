/** docker-compose.yml: the services, their scaling-friendliness, health checks and limits. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { redisKeys } from '@cataract/contracts';
import { findExecutable } from '../../apps/supervisor/src/redis-bootstrap';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  container_name?: string;
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { resources: { limits: { cpus: string; memory: string }; reservations: { cpus: string; memory: string } } };
  profiles?: string[];
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;
const ACTORS = ['clip-actor', 'lgbm-actor'] as const;
const APP_SERVICES = ['gateway', ...ACTORS] as const;

/** `${NAME:-default}` -> default, as Compose does when NAME is unset. */
const withDefaults = (s: string) => s.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('has redis, gateway, clip-actor, lgbm-actor and an optional nginx (profile lb)', () => {
    expect(Object.keys(services).sort()).toEqual(['clip-actor', 'gateway', 'lgbm-actor', 'nginx', 'redis']);
    expect(services.nginx.profiles).toEqual(['lb']);
    for (const name of ['redis', ...APP_SERVICES]) expect(services[name].profiles).toBeUndefined();
  });

  it('lets every service scale: no container_name anywhere, no host ports on actors', () => {
    for (const [name, service] of Object.entries(services)) expect([name, service.container_name]).toEqual([name, undefined]);
    for (const actor of ACTORS) expect(services[actor].ports).toBeUndefined();
  });

  it('redis persists with AOF on a volume and is health-checked with redis-cli ping', () => {
    const redis = services.redis;
    expect(withDefaults(redis.image!)).toBe('redis:7-alpine');
    expect(redis.command!.join(' ')).toMatch(/--appendonly yes/);
    expect(redis.command!.join(' ')).toMatch(/--dir \/data\b/); // the volume, whatever the image's working directory
    expect(redis.volumes).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(redis.ports).toBeUndefined(); // not exposed outside the compose network
  });

  it('gateway: port 8001, /health check, workers, uploads and log dirs, limits', () => {
    const g = services.gateway;
    expect(g.ports!.map(withDefaults)).toEqual(['8001:8001']);
    expect(g.command).toEqual(['node', 'apps/gateway/dist/main.js']);
    expect(g.healthcheck!.test.join(' ')).toMatch(/127\.0\.0\.1:8001\/health/);
    expect(g.environment).toMatchObject({
      PORT: '8001',
      REDIS_URL: 'redis://redis:6379',
      GATEWAY_WORKERS: '${GATEWAY_WORKERS:-4}',
      SERVED_MODELS: 'lgbm,clip',
      SAVE_UPLOADS: '${SAVE_UPLOADS:-true}',
      CUSTOMER_DATA_DIR: '/app/customer_data',
      LOG_DIR: '/app/logs',
    });
    expect(g.environment!.API_KEYS).toBe('${API_KEYS:-}');
    expect(g.environment).toHaveProperty('TRUST_PROXY');
    expect(g.volumes).toEqual(expect.arrayContaining(['logs:/app/logs', 'customer_data:/app/customer_data']));
    expect(g.deploy!.resources).toEqual({ limits: { cpus: '2', memory: '4g' }, reservations: { cpus: '1', memory: '2g' } });
  });

  // The repository's models unless MODELS_HOST_DIR names another folder of versions, read-only.
  const MODELS_MOUNT = '${MODELS_HOST_DIR:-./models}:/app/models:ro';

  it('actors run the same image with their model, read-only models, and a heartbeat health check', () => {
    for (const actor of ACTORS) {
      const s = services[actor];
      const model = actor.replace('-actor', '') as 'clip' | 'lgbm';
      expect(s.image).toBe(services.gateway.image);
      expect(s.build).toEqual(services.gateway.build);
      expect(s.command).toEqual(['node', 'apps/actor/dist/main.js', '--model', model]);
      expect(s.environment).toMatchObject({ ACTOR_MODEL: model, REDIS_URL: 'redis://redis:6379', MODELS_DIR: '/app/models' });
      expect(s.volumes).toContain(MODELS_MOUNT);
      expect(s.healthcheck!.test.join(' ')).toContain("'cataract:actors:'+m+':'+i");
    }
    expect(services.gateway.volumes).toContain(MODELS_MOUNT);
  });

  it("the actors' health check reads the heartbeat keys where @cataract/contracts puts them", () => {
    expect(redisKeys.actorIndex('clip')).toBe('cataract:actors:clip');
    expect(redisKeys.actor('clip', 'abc')).toBe('cataract:actors:clip:abc');
  });

  it('gateway and actors wait for a healthy redis', () => {
    for (const name of APP_SERVICES) expect(services[name].depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  it('builds from the root Dockerfile, its base image a variable defaulting to the official one', () => {
    expect(services.gateway.build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { NODE_IMAGE: '${NODE_IMAGE:-node:20-bookworm-slim}' } });
    expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('takes every base image from a variable whose default is the official image', () => {
    expect(services.redis.image).toBe('${REDIS_IMAGE:-redis:7-alpine}');
    expect(services.nginx.image).toBe('${NGINX_IMAGE:-nginx:1.27-alpine}');
  });
});

describe('infra/nginx/nginx.conf (profile lb)', () => {
  const conf = readFileSync(path.join(ROOT, 'infra/nginx/nginx.conf'), 'utf8');
  const seconds = (directive: string) => Number(new RegExp(`${directive}\\s+(\\d+)s;`).exec(conf)?.[1]);

  it('is the file the nginx service mounts', () => {
    expect(services.nginx.volumes).toContain('./infra/nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
  });

  it("balances the gateway replicas found through Docker's DNS, re-resolved (any nginx version)", () => {
    expect(conf).toMatch(/resolver 127\.0\.0\.11 valid=\d+s/);
    expect(conf).toMatch(/set \$gateways gateway:8001;/);
    expect(conf).toMatch(/proxy_pass http:\/\/\$gateways;/);
    expect(conf).not.toMatch(/^\s*server\s+\S+[^;]*\bresolve\b/m); // `server ... resolve` needs nginx >= 1.27.3
    // a replica that goes away mid-request: the POST is asked of another one, a slow one is not retried
    expect(conf).toMatch(/proxy_next_upstream error timeout non_idempotent;/);
    expect(conf).toMatch(/proxy_connect_timeout 1s;/); // a killed replica's address costs a second, not the client's request
  });

  it('admits 10 MB uploads, forwards the client address, and outwaits the 10 s request deadline', () => {
    expect(conf).toMatch(/client_max_body_size 11m;/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(seconds('proxy_read_timeout')).toBeGreaterThan(10);
    expect(seconds('proxy_send_timeout')).toBeGreaterThan(10);
  });
});

const dockerCompose = findExecutable('docker-compose');
const withCompose = dockerCompose ? describe : describe.skip;

withCompose(`docker-compose config${dockerCompose ? '' : ' (skipped: docker-compose not installed)'}`, () => {
  // Unset the variables the file interpolates, so the defaults are what is checked.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(GATEWAY_PORTS|API_KEYS|TRUST_PROXY|LB_PORT|IMAGE_TAG|NODE_IMAGE|REDIS_IMAGE|NGINX_IMAGE|COMPOSE_.*)$/.test(k)),
  );
  const run = (...args: string[]) => spawnSync(dockerCompose!, ['-f', COMPOSE_FILE, ...args], { cwd: ROOT, env, encoding: 'utf8' });

  it('accepts the file (-q)', () => {
    const result = run('config', '-q');
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('resolves to the same services, with the gateway published on 8001', () => {
    const result = run('config');
    expect(result.status).toBe(0);
    const resolved = parse(result.stdout) as { services: Record<string, { ports?: Array<{ published: number | string; target: number }> }> };
    expect(Object.keys(resolved.services).sort()).toEqual(['clip-actor', 'gateway', 'lgbm-actor', 'nginx', 'redis']);
    expect(resolved.services.gateway.ports).toEqual([{ published: expect.anything(), target: 8001 }]);
    expect(Number(resolved.services.gateway.ports![0].published)).toBe(8001);
  });
});
