import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LgbmFixture, writeLgbmFixture } from '@cataract/test-support/models';
import { ModelCatalog } from '../src/dispatch/model-catalog';

describe('ModelCatalog', () => {
  let fx: LgbmFixture;
  beforeEach(() => {
    fx = writeLgbmFixture({ threshold: 0.42 });
  });
  afterEach(() => fx.remove());

  it('reports each model’s manifest facts, and nothing for a model without one', async () => {
    const c = new ModelCatalog(fx.modelsDir);
    expect(await c.get('lgbm')).toEqual({ version: fx.version, runtime: 'lightgbm', labels: ['normal', 'cataract'], threshold: 0.42, created: expect.any(String) });
    expect(await c.get('clip')).toBeUndefined();
  });

  it('re-reads after its TTL, and treats an invalid manifest as absent', async () => {
    const c = new ModelCatalog(fx.modelsDir, 0);
    expect(await c.get('lgbm')).toBeDefined();
    writeFileSync(join(fx.modelsDir, 'lgbm', 'manifest.json'), '{"name":"lgbm"}');
    expect(await c.get('lgbm')).toBeUndefined();
  });
});
