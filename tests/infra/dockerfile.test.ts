/** The root Dockerfile: a build stage and a slim runtime stage whose service runs as a non-root user, with a health check. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const ROOT = path.resolve(__dirname, '..', '..');
const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const entrypoint = readFileSync(path.join(ROOT, 'infra/docker/entrypoint.sh'), 'utf8');
const dockerfile = DockerfileParser.parse(text);

/** The instructions of each stage, by stage name. */
function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      out.set(dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!.getBuildStage()!, current);
    }
    current?.push(instruction);
  }
  return out;
}
const args = (instructions: Instruction[], keyword: string) =>
  instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');

describe('Dockerfile', () => {
  const byStage = stages();
  const build = byStage.get('build')!;
  const runtime = byStage.get('runtime')!;

  it('is valid by dockerfile-utils (no diagnostics)', () => {
    expect(validate(text)).toEqual([]);
  });

  it('has a build stage and a runtime stage, last, both FROM the NODE_IMAGE argument (default node:20-bookworm-slim)', () => {
    expect([...byStage.keys()]).toEqual(['build', 'runtime']);
    expect(dockerfile.getFROMs().map((f) => f.getImage())).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  });

  it('has no `# syntax=` line (BuildKit would fetch a frontend image)', () => {
    expect(text).not.toMatch(/^#\s*syntax\s*=/im);
  });

  it('gives every npm step the optional extra_ca secret as NODE_EXTRA_CA_CERTS, never a layer', () => {
    const npmRuns = [...args(build, 'RUN'), ...args(runtime, 'RUN')].filter((r) => /\bnpm ci\b/.test(r));
    expect(npmRuns).toHaveLength(2);
    for (const r of npmRuns) expect(r).toMatch(/if \[ -s \/run\/secrets\/extra_ca \]; then export NODE_EXTRA_CA_CERTS=\/run\/secrets\/extra_ca; fi/);
    const mounts = [...build, ...runtime].filter((i) => i.getKeyword() === 'RUN' && /npm ci/.test(i.getArgumentsContent() ?? '')).map((i) => i.getTextContent());
    for (const m of mounts) expect(m).toContain('--mount=type=secret,id=extra_ca');
    expect(text).not.toMatch(/^(COPY|ADD|ENV|ARG)\b.*(extra_ca|NODE_EXTRA_CA_CERTS)/m);
  });

  it('builds with all dependencies: npm ci, then the build', () => {
    const runs = args(build, 'RUN');
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    const compile = runs.findIndex((r) => /npm run build/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(runs[ci]).not.toMatch(/--omit=dev/);
    expect(compile).toBeGreaterThan(ci);
  });

  it('runtime installs production dependencies only, with the .npmrc that skips the onnxruntime download', () => {
    expect(args(runtime, 'RUN').some((r) => /\bnpm ci\b[^;]*--omit=dev/.test(r))).toBe(true);
    // .npmrc travels in the manifests the runtime copies before its npm ci.
    expect(args(build, 'RUN').join('\n')).toMatch(/cp package\.json package-lock\.json \.npmrc \/out\/manifests\//);
    const order = runtime.map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`);
    const install = order.findIndex((l) => l.startsWith('RUN') && l.includes('npm ci'));
    expect(install).toBeGreaterThan(order.findIndex((l) => l.startsWith('COPY /out/manifests/')));
    expect(readFileSync(path.join(ROOT, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('runtime copies compiled code from the build stage, and the models', () => {
    const copies = runtime.filter((i) => i.getKeyword() === 'COPY');
    const fromBuild = copies.filter((c) => c.getFlags?.().some((f) => f.getName() === 'from' && f.getValue() === 'build'));
    expect(fromBuild.map((c) => c.getArgumentsContent())).toEqual(['/out/manifests/ ./', '/out/dist/ ./']);
    expect(args(runtime, 'COPY')).toContain('models ./models');
  });

  it('runs in production mode; tini as PID 1; the entrypoint drops to the non-root `node` user', () => {
    expect(args(runtime, 'ENV').join(' ')).toMatch(/NODE_ENV=production/);
    expect(args(runtime, 'USER')).toEqual([]); // root only until the entrypoint has fixed the mounted folders
    expect(args(runtime, 'ENTRYPOINT')).toEqual(['["tini", "--", "cataract-entrypoint"]']);
    expect(args(runtime, 'COPY')).toContain('infra/docker/entrypoint.sh /usr/local/bin/cataract-entrypoint');
    expect(entrypoint).toMatch(/^SERVICE_USER=node$/m);
    expect(entrypoint).toMatch(/exec setpriv --reuid="\$SERVICE_USER" --regid="\$SERVICE_USER" --init-groups "\$@"/);
  });

  it("installs Debian's redis-server and tini; keeps a copy of the models for init-models", () => {
    expect(args(runtime, 'RUN').join('\n')).toMatch(/apt-get install [^;]*redis-server tini/);
    expect(args(runtime, 'COPY')).toContain('models ./default-models');
    expect(args(runtime, 'ENV').join(' ')).toMatch(/DEFAULT_MODELS_DIR=\/app\/default-models/);
    expect(entrypoint).toMatch(/init-models/);
  });

  it("checks the gateway's /health and runs the whole cluster (the supervisor) by default", () => {
    const health = args(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/CMD .*\/health/);
    expect(args(runtime, 'CMD')).toEqual(['["node", "apps/supervisor/dist/main.js"]']);
    expect(args(runtime, 'EXPOSE')).toEqual(['8001']);
  });
});

describe('RUNTIME_WORKSPACES (what the image installs and copies)', () => {
  const declared = /RUNTIME_WORKSPACES="([^"]+)"/.exec(text)?.[1].split(/\s+/) ?? [];

  /** Workspace name -> folder, from the root package.json's workspace globs (`dir/*` or `dir`). */
  const workspaces = new Map<string, string>();
  for (const pattern of JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).workspaces as string[]) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(path.join(ROOT, pattern.slice(0, -2))).map((d) => `${pattern.slice(0, -2)}/${d}`)
      : [pattern];
    for (const dir of dirs) {
      const manifest = path.join(ROOT, dir, 'package.json');
      if (existsSync(manifest)) workspaces.set(JSON.parse(readFileSync(manifest, 'utf8')).name, dir);
    }
  }

  /** Workspaces imported by a workspace's src/, found by module specifier. */
  const importsOf = (dir: string): string[] => {
    const found = new Set<string>();
    const walk = (d: string) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) {
          for (const m of readFileSync(full, 'utf8').matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) {
            const spec = m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
            const ws = workspaces.get(spec);
            if (ws) found.add(ws);
          }
        }
      }
    };
    walk(path.join(ROOT, dir, 'src'));
    return [...found];
  };

  it('names the supervisor, the gateway and the actor', () => {
    expect(declared).toEqual(expect.arrayContaining(['apps/supervisor', 'apps/gateway', 'apps/actor']));
  });

  it('holds every workspace the supervisor, the gateway and the actor import, directly or not', () => {
    const needed = new Set<string>();
    const queue = ['apps/supervisor', 'apps/gateway', 'apps/actor'];
    while (queue.length > 0) {
      const dir = queue.pop()!;
      if (needed.has(dir)) continue;
      needed.add(dir);
      queue.push(...importsOf(dir));
    }
    expect([...needed].filter((d) => !declared.includes(d))).toEqual([]);
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  it('keeps host builds, dependencies, git and local data out of the build context', () => {
    expect(lines).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git', 'logs', 'customer_data', '.env']));
  });
  it('lets every file of the model versions in (their manifests list the cards too), after the rule that drops documentation', () => {
    const docs = lines.indexOf('**/*.md');
    const models = lines.indexOf('!models/**');
    expect(docs).toBeGreaterThanOrEqual(0);
    expect(models).toBeGreaterThan(docs);
  });
});
