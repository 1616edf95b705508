import path from 'node:path';
import { planCluster } from '../src/cluster';
import { loadConfig } from '../src/config';
import type { ModelPresence } from '../src/models';
import { PARENT_WATCH_PRELOAD } from '../src/runtime-files';

const present = (type: 'lgbm' | 'clip'): ModelPresence => ({ type, present: true, version: `${type}-v1`, file: `/m/${type}/f` });
const absent = (type: 'lgbm' | 'clip'): ModelPresence => ({ type, present: false, reason: 'no manifest' });

describe('planCluster', () => {
  it('one gateway and N actors per present model, all on the same Redis and port', () => {
    const config = loadConfig({ PORT: '8123', LGBM_ACTORS: '2', CLIP_ACTORS: '1', MODELS_DIR: '/m' });
    const plan = planCluster(config, [present('lgbm'), present('clip')], 'redis://127.0.0.1:7000');
    expect(plan.served).toEqual(['lgbm', 'clip']);
    expect(plan.actors.map((a) => a.name)).toEqual(['lgbm-actor-1', 'lgbm-actor-2', 'clip-actor-1']);
    expect(plan.actors[2].args).toEqual(['--require', PARENT_WATCH_PRELOAD, config.actorEntry, '--model', 'clip']);
    expect(plan.gateway.args).toEqual(['--require', PARENT_WATCH_PRELOAD, config.gatewayEntry]);
    for (const spec of [plan.gateway, ...plan.actors]) {
      expect(spec.command).toBe(process.execPath);
      expect(spec.env).toMatchObject({
        PORT: '8123',
        REDIS_URL: 'redis://127.0.0.1:7000',
        SERVED_MODELS: 'lgbm,clip',
        MODELS_DIR: path.resolve('/m'),
        SUPERVISOR_PID: String(process.pid),
        SUPERVISOR_CHILD_NAME: spec.name,
      });
    }
  });

  it('a model missing on disk gets no actor and is not served', () => {
    const plan = planCluster(loadConfig({ LGBM_ACTORS: '1' }), [present('lgbm'), absent('clip')], 'redis://x:1');
    expect(plan.served).toEqual(['lgbm']);
    expect(plan.actors.map((a) => a.name)).toEqual(['lgbm-actor-1']);
    expect(plan.gateway.env.SERVED_MODELS).toBe('lgbm');
  });

  it('a model asked for with 0 actors is not served either', () => {
    const plan = planCluster(loadConfig({ LGBM_ACTORS: '1', CLIP_ACTORS: '0' }), [present('lgbm'), present('clip')], 'redis://x:1');
    expect(plan.served).toEqual(['lgbm']);
    expect(plan.actors).toHaveLength(1);
  });
});
