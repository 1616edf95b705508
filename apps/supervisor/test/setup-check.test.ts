import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ModelPresence } from '../src/models';
import { checkSetup, writableDir } from '../src/setup-check';

const present: ModelPresence[] = [
  { type: 'lgbm', present: true, version: 'v1', file: '/m/lgbm/model.txt' },
  { type: 'clip', present: true, version: 'v1', file: '/m/clip/model.onnx' },
];
const missing: ModelPresence[] = [
  { type: 'lgbm', present: false, reason: 'no /app/models/lgbm/manifest.json' },
  { type: 'clip', present: false, reason: 'no /app/models/clip/manifest.json' },
];
const writable = () => true;
const readOnly = () => false;

describe('checkSetup: set-up mistakes are named, and the children are told how to carry on', () => {
  it('a sound set-up has no problem and changes nothing', () => {
    const env = { LOG_DIR: '/l', CUSTOMER_DATA_DIR: '/c', SAVE_UPLOADS: 'true' };
    expect(checkSetup(present, { lgbm: 2, clip: 1 }, env, writable)).toEqual({ problems: [], env: {} });
  });

  it('a wanted model type missing is named with its reason; with DEFAULT_MODELS_DIR, how to copy the image\'s models', () => {
    const r = checkSetup(missing, { lgbm: 2, clip: 1 }, { DEFAULT_MODELS_DIR: '/app/default-models' }, writable);
    expect(r.problems).toHaveLength(2);
    expect(r.problems[0]).toMatch(/^model lgbm not served: no \/app\/models\/lgbm\/manifest\.json; the image's own models are in \/app\/default-models: .*init-models/);
    expect(checkSetup(missing, { lgbm: 2, clip: 1 }, {}, writable).problems[1]).toBe('model clip not served: no /app/models/clip/manifest.json');
  });

  it('a model type turned off (0 actors) is not a problem', () => {
    expect(checkSetup(missing, { lgbm: 0, clip: 0 }, {}, writable).problems).toEqual([]);
  });

  it('unwritable LOG_DIR: named, and the children log to stdout only; unwritable CUSTOMER_DATA_DIR with SAVE_UPLOADS: named, retention off', () => {
    const r = checkSetup(present, { lgbm: 1, clip: 1 }, { LOG_DIR: '/l', CUSTOMER_DATA_DIR: '/c', SAVE_UPLOADS: 'yes' }, readOnly);
    expect(r.problems).toEqual([
      expect.stringMatching(/^LOG_DIR \/l is not writable by uid \d+: logs go to stdout only$/),
      expect.stringMatching(/^CUSTOMER_DATA_DIR \/c is not writable by uid \d+: uploads are not retained$/),
    ]);
    expect(r.env).toEqual({ LOG_DIR: '', SAVE_UPLOADS: 'false' });
  });

  it('CUSTOMER_DATA_DIR is not checked when uploads are not kept', () => {
    expect(checkSetup(present, { lgbm: 1, clip: 1 }, { CUSTOMER_DATA_DIR: '/c', SAVE_UPLOADS: 'false' }, readOnly).problems).toEqual([]);
  });
});

describe('writableDir', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-writable-'))));
  afterEach(() => {
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a missing folder and says it is writable', () => {
    expect(writableDir(path.join(dir, 'a', 'b'))).toBe(true);
  });

  it('a folder this user cannot write is not writable (skipped for root, who writes anywhere)', () => {
    chmodSync(dir, 0o500);
    expect(writableDir(dir)).toBe(process.getuid?.() === 0);
  });
});
