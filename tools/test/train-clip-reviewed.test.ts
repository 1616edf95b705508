/**
 * train:clip's data path with reviewed uploads (the built command, on rendered eyes, the small fast
 * setting): a first version published as the default, then a candidate with reviewed uploads,
 * compared with it (the uploads answered by its ONNX graph) and staged, not published.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultVersion, listVersions, verifyCandidate } from '@cataract/model-store';
import { distinctEye } from '@cataract/test-support/distinct-eyes';
import { writeRetainedRecord } from '@cataract/test-support/retained-records';

const TRAIN_CLIP = path.resolve(__dirname, '..', 'dist', 'train-clip.js');
const FAST = ['--folds', '2', '--repeats', '1', '--copies', '0', '--photometric', '0', '--l2', '0.1', '--threads', '1'];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TRAIN_CLIP, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('train:clip with --reviewed (built: npx tsc -b tools)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-clip-reviewed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('reviewed uploads join, the serving version answers them for the comparison, the candidate is staged with its reference statistics', async () => {
    const data = path.join(dir, 'data');
    for (const label of ['cataract', 'normal'] as const) {
      mkdirSync(path.join(data, label), { recursive: true });
      for (let i = 0; i < 6; i++) writeFileSync(path.join(data, label, `eye-${i}.jpg`), await distinctEye(label, 10 + i));
    }
    const customer = path.join(dir, 'customer');
    writeRetainedRecord(customer, await distinctEye('cataract', 90), { review: { label: 'cataract' }, stamp: '20261207T120000001Z' });
    writeRetainedRecord(customer, await distinctEye('normal', 91), { review: { label: 'normal' }, stamp: '20261207T120000002Z' });
    writeRetainedRecord(customer, await distinctEye('normal', 92), { stamp: '20261207T120000003Z' });
    const store = path.join(dir, 'models');
    const candidates = path.join(dir, 'candidates');
    const common = ['--data', data, '--models', store, '--candidates', candidates, ...FAST];

    const first = await run([...common, '--publish', '--set-default']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const v1 = defaultVersion(store, 'clip')!;
    expect(listVersions(store, 'clip')).toEqual([v1]);

    const second = await run([...common, '--reviewed', customer]);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(second.stdout).toMatch(/2 reviewed uploads join \(1 cataract, 1 normal\); 1 unreviewed ignored/);
    expect(second.stdout).toMatch(new RegExp(`candidate vs serving ${v1} \\(default\\) on the same 2-fold x 1 folds of 14 photos \\(serving: 12 out-of-fold predictions from its own file, 2 by its model files\\)`));
    expect(second.stdout).toMatch(/staged in .* \(not published\)/);
    expect(listVersions(store, 'clip')).toEqual([v1]);

    const staged = second.stdout.match(/candidate (clip-\S+) staged/)![1];
    const stagedDir = path.join(candidates, 'clip', staged);
    const { manifest } = await verifyCandidate(stagedDir);
    expect(manifest.training).toMatchObject({ reviewed: { used: 2, unreviewed_ignored: 1, skipped: [] } });
    expect(manifest.metrics).toMatchObject({ against_serving: { against: { version: v1, source: 'default' }, serving_predictions: { out_of_fold: 12, by_model_files: 2 } } });
    const ref = JSON.parse(readFileSync(path.join(stagedDir, 'reference-stats.json'), 'utf8'));
    expect({ samples: ref.samples, view: ref.view }).toEqual({ samples: 14, view: { width: 224, height: 224, fit: 'fill' } });
    expect(readFileSync(path.join(stagedDir, 'README.md'), 'utf8')).toMatch(/## Against the serving version[\s\S]*Verdict: \*\*(not worse|worse)\*\*/);
    expect(existsSync(path.join(store, 'clip', staged))).toBe(false);
  }, 120_000);

  test('--backbone inception_v3 stages a 160 px candidate pooled from mixed7, mixed5, mixed2, compared with the MobileNetV2 version it would replace', async () => {
    const data = path.join(dir, 'data-inception');
    for (const label of ['cataract', 'normal'] as const) {
      mkdirSync(path.join(data, label), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(path.join(data, label, `eye-${i}.jpg`), await distinctEye(label, 30 + i));
    }
    const store = path.join(dir, 'models-inception');
    const candidates = path.join(dir, 'candidates-inception');
    const common = ['--data', data, '--models', store, '--candidates', candidates, ...FAST];
    const first = await run([...common, '--publish', '--set-default']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    const v1 = defaultVersion(store, 'clip')!;

    const inception = await run([...common, '--backbone', 'inception_v3']);
    expect({ code: inception.code, stderr: inception.stderr }).toEqual({ code: 0, stderr: '' });
    expect(inception.stdout).toMatch(new RegExp(`candidate vs serving ${v1} \\(default\\)`));
    const staged = inception.stdout.match(/candidate (clip-\S+) staged/)![1];
    const stagedDir = path.join(candidates, 'clip', staged);
    const { manifest } = await verifyCandidate(stagedDir);
    expect(manifest.input).toMatchObject({ width: 160, height: 160, layout: 'NHWC' });
    expect(manifest.training).toMatchObject({
      backbone: { source: expect.stringMatching(/dist\/models\/inception_v3 .*run at 160x160/), layers: ['mixed7 (mean over its feature map)', 'mixed5 (mean over its feature map)', 'mixed2 (mean over its feature map)'], width: 1824 },
    });
    expect(readFileSync(path.join(stagedDir, 'README.md'), 'utf8')).toMatch(/# clip model: InceptionV3[\s\S]*Gemm \[1824, 2\]/);
    expect((await run([...common, '--backbone', 'resnet'])).stderr).toMatch(/--backbone must be one of mobilenet_v2, inception_v3/);
  }, 180_000);
});
