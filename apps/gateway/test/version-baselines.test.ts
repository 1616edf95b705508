import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReferenceStats, LGBM_STATS_VIEW, REFERENCE_STATS_FILE, StatsView } from '@cataract/imaging';
import { VersionBaselines } from '../src/drift';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const reference = (view: StatsView) =>
  `${JSON.stringify(buildReferenceStats(Array.from({ length: 30 }, (_, i) => ({ long_side: 512, brightness: 100 + i, colourfulness: 30, sharpness: 400 + i })), view))}\n`;

describe('VersionBaselines (a version\'s reference-stats.json and training share)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baselines-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function publish(type: 'lgbm' | 'clip', version: string, opts: { ref?: string; listedSha?: string; training?: unknown } = {}) {
    const folder = join(dir, type, version);
    mkdirSync(folder, { recursive: true });
    const common = { name: type, version, file: 'm', sha256: 'a'.repeat(64), labels: ['normal', 'cataract'], positive_label: 'cataract', threshold: 0.5, created: 'now' };
    const runtime =
      type === 'lgbm'
        ? { runtime: 'lightgbm', feature_set: { name: 'eye-regions', version: '2' } }
        : { runtime: 'onnx', input: { name: 'image', layout: 'NHWC', width: 224, height: 224, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], resize: 'fill' }, output: { name: 'p', kind: 'probabilities' } };
    const files = opts.ref !== undefined ? { files: { m: 'a'.repeat(64), [REFERENCE_STATS_FILE]: opts.listedSha ?? sha(opts.ref) } } : {};
    if (opts.ref !== undefined) writeFileSync(join(folder, REFERENCE_STATS_FILE), opts.ref);
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...common, ...runtime, ...files, training: opts.training ?? { photos: { cataract: 241, normal: 235 } } }));
  }

  it('a version that ships a reference listed in its manifest: the reference and the training photos\' cataract share', async () => {
    publish('lgbm', 'v1', { ref: reference(LGBM_STATS_VIEW) });
    const b = await new VersionBaselines(dir).get('lgbm', 'v1');
    expect(b.referenceProblem).toBeUndefined();
    expect(b.reference?.samples).toBe(30);
    expect(b.trainingPositiveRate).toBeCloseTo(241 / 476, 12);
  });

  it('clip\'s view is its input tensor; the training share is also read from training.data.photos', async () => {
    publish('clip', 'c1', { ref: reference({ width: 224, height: 224, fit: 'fill' }), training: { data: { photos: { cataract: 1, normal: 3 } } } });
    const b = await new VersionBaselines(dir).get('clip', 'c1');
    expect(b.reference).toBeDefined();
    expect(b.trainingPositiveRate).toBe(0.25);
  });

  it('says why there is no reference: none shipped, a changed file, other pixels, an unknown version', async () => {
    publish('lgbm', 'none');
    publish('lgbm', 'changed', { ref: reference(LGBM_STATS_VIEW), listedSha: 'b'.repeat(64) });
    publish('clip', 'otherview', { ref: reference(LGBM_STATS_VIEW) });
    const baselines = new VersionBaselines(dir);
    expect((await baselines.get('lgbm', 'none')).referenceProblem).toMatch(/ships no reference-stats.json/);
    expect((await baselines.get('lgbm', 'none')).trainingPositiveRate).toBeCloseTo(241 / 476, 12);
    expect((await baselines.get('lgbm', 'changed')).referenceProblem).toMatch(/does not match its manifest's sha256/);
    expect((await baselines.get('clip', 'otherview')).referenceProblem).toMatch(/measured on 128x128 'cover' pixels, the model decodes 224x224 'fill'/);
    expect((await baselines.get('lgbm', 'nowhere')).referenceProblem).toMatch(/not in this gateway's model store/);
  });

  it('a version missing from disk is looked for again after 30 s; a read version is kept', async () => {
    let clock = 0;
    const baselines = new VersionBaselines(dir, () => clock);
    expect((await baselines.get('lgbm', 'late')).reference).toBeUndefined();
    publish('lgbm', 'late', { ref: reference(LGBM_STATS_VIEW) });
    clock += 10_000;
    expect((await baselines.get('lgbm', 'late')).reference).toBeUndefined();
    clock += 25_000;
    expect((await baselines.get('lgbm', 'late')).reference).toBeDefined();
    rmSync(join(dir, 'lgbm'), { recursive: true });
    clock += 3600_000;
    expect((await baselines.get('lgbm', 'late')).reference).toBeDefined();
  });
});
