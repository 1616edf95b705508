/**
 * The operations guide's model cycle against the compose deployment: a new version is copied into
 * the folder the containers mount read-only (MODELS_HOST_DIR), then validated, promoted and rolled
 * back through the gateway's /admin/models routes while clients keep uploading. Nothing restarts,
 * no request fails, and the answers name the version the state names between the commands.
 */
import { chmodSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultVersion } from '@cataract/model-store';
import { startLoad } from '@cataract/test-support/load';
import { inPhase, versionViolations, type Phase } from '../versions/phases';
import { publishCopy } from '../versions/store-copy';
import { ROOT, sleep } from './support/docker';

/** A copy of the repository's models for MODELS_HOST_DIR, readable by the containers' non-root user. */
export function modelsHostDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cataract-compose-models-'));
  chmodSync(dir, 0o755);
  cpSync(join(ROOT, 'models'), dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of the default lgbm version under a new name, as an operator would copy a trained one in. */
function copyInNewVersion(modelsDir: string): { def: string; next: string } {
  const def = defaultVersion(modelsDir, 'lgbm')!;
  return { def, next: publishCopy(modelsDir, def, `${def}-compose`) };
}

async function admin(base: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${base}/admin/models${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(120_000),
  });
  return { status: r.status, body: await r.json() };
}

export interface ModelCycleResult {
  def: string;
  next: string;
  failures: string[];
  violations: string[];
  /** 200 answers inside each settled phase that named that phase's version. */
  answered: Record<string, number>;
  /** HTTP status of each admin command. */
  commands: Record<string, number>;
  /** Serving version each live lgbm actor reported to `GET /admin/models` after the promotion. */
  servingAfterPromote: string[];
}

/** Runs validate, promote and rollback of a copied-in lgbm version under load; returns what the test asserts. */
export async function runComposeModelCycle(base: string, modelsDir: string, photos: Buffer[]): Promise<ModelCycleResult> {
  const { def, next } = copyInNewVersion(modelsDir);
  const load = startLoad({ base, path: '/predict_lgbm', photos, concurrency: 6, durationMs: 120_000, clientTimeoutMs: 30_000 });
  const loadStart = Date.now();
  const commands: Record<string, number> = {};
  const run = async (name: string, path: string, body: unknown) => {
    const started = Date.now();
    commands[name] = (await admin(base, path, body)).status;
    return { started, returned: Date.now() };
  };
  await sleep(3_000);
  await run('validate', '/lgbm/validate', { version: next }); // checks, changes nothing
  const promote = await run('promote', '/lgbm/promote', { version: next });
  await sleep(5_000);
  const lgbm = ((await admin(base, '')).body.models as any[]).find((m) => m.type === 'lgbm');
  const servingAfterPromote: string[] = (lgbm?.actors ?? []).map((a: any) => a.serving);
  const rollback = await run('rollback', '/lgbm/rollback', {});
  await sleep(5_000);
  load.stop();
  const samples = await load.done;
  // A phase runs from the command that made its state returning to the next command starting.
  const phases: Phase[] = [
    { name: 'default', from: loadStart, to: promote.started, versions: [def] },
    { name: 'promoted', from: promote.returned, to: rollback.started, versions: [next] },
    { name: 'rolled back', from: rollback.returned, to: Date.now(), versions: [def] },
  ];
  return {
    def,
    next,
    failures: samples.filter((s) => s.status !== 200).map((s) => `${s.status ?? ''} ${s.code ?? ''}`.trim()),
    violations: versionViolations(samples, phases),
    answered: Object.fromEntries(phases.map((p) => [p.name, inPhase(samples, p).filter((s) => p.versions.includes(s.modelVersion ?? '')).length])),
    commands,
    servingAfterPromote,
  };
}
