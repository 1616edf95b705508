/**
 * Real Docker for the container suite: the engine (Debian's client with BuildKit), the base images
 * (infra/docker/base-images.sh: official ones or local stand-ins), the image built once from the
 * root Dockerfile, and a record of everything a test creates so that it is removed even when the
 * test fails. Every port the suite publishes is bound to 127.0.0.1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Debian's client: BuildKit built in (another `docker` first on the PATH may lack buildx). */
export const DOCKER = process.env.DOCKER_CLIENT ?? '/usr/bin/docker';
export const COMPOSE = 'docker-compose';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const run = promisify(execFile);

/** Why the suite cannot run here, or undefined when a Docker Engine answers and compose is installed. */
export function dockerSkipReason(): string | undefined {
  if (process.env.SKIP_DOCKER_TESTS) return 'SKIP_DOCKER_TESTS is set';
  if (!existsSync(DOCKER)) return `no Docker client at ${DOCKER} (apt-get install docker.io)`;
  const info = spawnSync(DOCKER, ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 15_000 });
  if (info.status !== 0) return `no Docker Engine answers (${(info.stderr || 'timeout').trim().split('\n').pop()})`;
  if (spawnSync(COMPOSE, ['version', '--short'], { timeout: 15_000 }).status !== 0) return 'docker-compose is not installed';
  return undefined;
}

export interface Exec {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its stderr when it fails. */
export async function sh(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}): Promise<Exec> {
  try {
    return await run(file, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${path.basename(file)} ${args.join(' ')} failed: ${e.message}\n${(e.stderr ?? '').slice(-2000)}`);
  }
}

export const docker = (args: string[], timeoutMs?: number) => sh(DOCKER, args, { timeoutMs }).then((r) => r.stdout.trim());

/** NODE_IMAGE, REDIS_IMAGE, NGINX_IMAGE: the official images if present or pullable, else local stand-ins. */
export async function baseImages(): Promise<Record<'NODE_IMAGE' | 'REDIS_IMAGE' | 'NGINX_IMAGE', string>> {
  const { stdout } = await sh('bash', [path.join(ROOT, 'infra/docker/base-images.sh')], { env: { DOCKER }, timeoutMs: 20 * 60_000 });
  const vars = Object.fromEntries([...stdout.matchAll(/(\w+_IMAGE)=(\S+)/g)].map((m) => [m[1], m[2]]));
  for (const name of ['NODE_IMAGE', 'REDIS_IMAGE', 'NGINX_IMAGE']) if (!vars[name]) throw new Error(`base-images.sh named no ${name}: ${stdout}`);
  return vars as Record<'NODE_IMAGE' | 'REDIS_IMAGE' | 'NGINX_IMAGE', string>;
}

/** The guide's `docker build -t TAG .` from the repository root, with the base-image argument and the CA secret. */
export async function buildImage(tag: string, nodeImage: string): Promise<void> {
  const secret = existsSync(CA_BUNDLE) ? ['--secret', `id=extra_ca,src=${CA_BUNDLE}`] : [];
  await sh(DOCKER, ['build', '--build-arg', `NODE_IMAGE=${nodeImage}`, ...secret, '-t', tag, '.'], {
    env: { DOCKER_BUILDKIT: '1' },
    timeoutMs: 30 * 60_000,
  });
}

/** Containers, compose projects and a swarm created by the suite, removed by cleanup() whatever happened. */
export class DockerResources {
  private containers = new Set<string>();
  private projects = new Map<string, NodeJS.ProcessEnv>();
  private swarm = false;
  private stacks = new Set<string>();

  container(name: string): string {
    this.containers.add(name);
    return name;
  }
  project(name: string, env: NodeJS.ProcessEnv): void {
    this.projects.set(name, env);
  }
  joinedSwarm(): void {
    this.swarm = true;
  }
  stack(name: string): void {
    this.stacks.add(name);
  }

  async cleanup(): Promise<void> {
    const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
    for (const c of this.containers) await quiet(docker(['rm', '-f', '-v', c]));
    for (const [name, env] of this.projects) {
      await quiet(sh(COMPOSE, ['-p', name, '--profile', 'lb', 'down', '-v', '--remove-orphans', '--timeout', '5'], { env, timeoutMs: 180_000 }));
    }
    for (const name of this.stacks) {
      await quiet(docker(['stack', 'rm', name], 120_000));
      // The stack's volumes go once its task containers have: wait for those, then remove them.
      for (let i = 0; i < 60; i++) {
        if ((await quiet(docker(['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${name}`]))) === '') break;
        await sleep(1_000);
      }
      const volumes = await quiet(docker(['volume', 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${name}`]));
      if (typeof volumes === 'string' && volumes) await quiet(docker(['volume', 'rm', ...volumes.split('\n')]));
    }
    if (this.swarm) {
      await quiet(docker(['swarm', 'leave', '--force'], 60_000));
      await quiet(docker(['network', 'rm', 'docker_gwbridge'])); // made by our `swarm init`
    }
    this.containers.clear();
    this.projects.clear();
    this.stacks.clear();
    this.swarm = false;
  }
}

/** A free TCP port on 127.0.0.1 (the kernel's choice). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Health {
  status: string;
  actors: Record<string, Array<{ id: string; host: string }>>;
  actors_available: number;
  ray_workers_available: number;
  problems?: string[];
}

export async function health(base: string): Promise<Health | undefined> {
  try {
    const r = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
    return (await r.json()) as Health;
  } catch {
    return undefined;
  }
}

/** Polls /health until `ok(h)`; returns the last answer and the time it took. */
export async function waitForHealth(base: string, timeoutMs: number, ok: (h: Health) => boolean = (h) => h.status === 'ok'): Promise<{ health?: Health; ms: number }> {
  const start = Date.now();
  let last: Health | undefined;
  while (Date.now() - start < timeoutMs) {
    last = await health(base);
    if (last && ok(last)) return { health: last, ms: Date.now() - start };
    await sleep(500);
  }
  throw new Error(`${base}/health not as wanted within ${timeoutMs} ms; last: ${JSON.stringify(last)?.slice(0, 600)}`);
}

/** POSTs one photo as multipart field `file`. */
export async function predict(base: string, route: string, photo: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new FormData();
  form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'eye.jpg');
  const r = await fetch(`${base}${route}`, { method: 'POST', body: form, signal: AbortSignal.timeout(30_000) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}
