/** docker-stack.yml (swarm) stays in step with docker-compose.yml: the differences are only those a swarm needs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: unknown;
  depends_on?: unknown;
  stop_grace_period?: string;
  deploy?: {
    replicas?: number;
    endpoint_mode?: string;
    resources?: { limits: Record<string, string>; reservations: Record<string, string> };
    update_config?: { order?: string; parallelism?: number };
  };
}
const load = (file: string) => parse(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as { version?: string; services: Record<string, Service>; volumes: Record<string, unknown> };
const compose = load('docker-compose.yml');
const stack = load('docker-stack.yml');
const APP = ['gateway', 'clip-actor', 'lgbm-actor'];

describe('docker-stack.yml against docker-compose.yml', () => {
  it('is a version 3 file with the same services but nginx (the swarm routing mesh balances the gateway replicas)', () => {
    expect(stack.version).toMatch(/^3\.\d+$/);
    expect(Object.keys(stack.services).sort()).toEqual(Object.keys(compose.services).filter((s) => s !== 'nginx').sort());
    expect(Object.keys(stack.volumes).sort()).toEqual(Object.keys(compose.volumes).sort());
  });

  it('same commands, environment, health checks, limits and memory reservations', () => {
    for (const name of Object.keys(stack.services)) {
      const [s, c] = [stack.services[name], compose.services[name]];
      expect([name, s.command, s.environment, s.healthcheck, s.stop_grace_period]).toEqual([name, c.command, c.environment, c.healthcheck, c.stop_grace_period]);
      expect([name, s.deploy?.resources?.limits]).toEqual([name, c.deploy?.resources?.limits]);
      expect([name, s.deploy?.resources?.reservations?.memory]).toEqual([name, c.deploy?.resources?.reservations?.memory]);
    }
    expect(stack.services.redis.image).toBe(compose.services.redis.image);
  });

  // A bind mount of the host: a relative path, or one a variable names (MODELS_HOST_DIR).
  const hostFolder = (v: string) => v.startsWith('.') || v.startsWith('${');

  it('what a swarm needs instead: an image from a registry, no build, no depends_on, no host folders; rolling updates start-first', () => {
    for (const name of APP) {
      const s = stack.services[name];
      expect(s.image).toBe('${IMAGE:-cataract-cluster:latest}');
      expect(s.build).toBeUndefined();
      expect(s.depends_on).toBeUndefined();
      expect(s.volumes!.filter(hostFolder)).toEqual([]);
      expect(s.volumes).toEqual(compose.services[name].volumes!.filter((v) => !hostFolder(v)));
      expect(s.deploy!.update_config).toMatchObject({ order: 'start-first', parallelism: 1 });
    }
  });

  it('reaches its one Redis by DNS (no virtual IP in front of a single server)', () => {
    expect(stack.services.redis.deploy).toMatchObject({ replicas: 1, endpoint_mode: 'dnsrr' });
  });

  it('declares the same lgbm replicas as compose, and publishes the gateway on 8001', () => {
    expect(stack.services['lgbm-actor'].deploy!.replicas).toBe(compose.services['lgbm-actor'].deploy!.replicas);
    expect(stack.services.gateway.ports).toEqual(['${GATEWAY_PORT:-8001}:8001']);
  });
});
