import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listLabelledImages, photoName, stratifiedFolds, stratifiedSplit } from '../src/common/dataset';

describe('listLabelledImages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lgbm-ds-'));
    for (const c of ['cataract', 'normal']) mkdirSync(path.join(dir, c));
    for (const f of ['b.jpg', 'a.PNG', 'c.webp', 'notes.txt', 'd.jpeg']) writeFileSync(path.join(dir, 'cataract', f), 'x');
    writeFileSync(path.join(dir, 'normal', 'z.jpg'), 'x');
    mkdirSync(path.join(dir, 'normal', 'sub.jpg')); // a directory named like an image is ignored
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('lists images per class, sorted, skipping other files', () => {
    const items = listLabelledImages(dir).map((x) => `${x.label}/${path.basename(x.path)}`);
    expect(items).toEqual(['cataract/a.PNG', 'cataract/b.jpg', 'cataract/c.webp', 'cataract/d.jpeg', 'normal/z.jpg']);
  });

  test('missing directories are clear errors', () => {
    expect(() => listLabelledImages(path.join(dir, 'nope'))).toThrow(/not found/);
    expect(() => listLabelledImages(path.join(dir, 'cataract'))).toThrow(/missing class directory/);
  });
});

describe('stratifiedSplit', () => {
  const items = [
    ...Array.from({ length: 241 }, (_, i) => ({ id: `c${i}`, label: 'cataract' })),
    ...Array.from({ length: 235 }, (_, i) => ({ id: `n${i}`, label: 'normal' })),
  ];

  test('keeps class proportions and partitions the items', () => {
    const { train, valid } = stratifiedSplit(items, 0.2, 42);
    expect(valid.filter((x) => x.label === 'cataract')).toHaveLength(48);
    expect(valid.filter((x) => x.label === 'normal')).toHaveLength(47);
    expect(train.length + valid.length).toBe(items.length);
    const ids = new Set([...train, ...valid].map((x) => x.id));
    expect(ids.size).toBe(items.length);
  });

  test('deterministic for a seed, different for another seed', () => {
    const a = stratifiedSplit(items, 0.2, 42).valid.map((x) => x.id);
    const b = stratifiedSplit(items, 0.2, 42).valid.map((x) => x.id);
    const c = stratifiedSplit(items, 0.2, 43).valid.map((x) => x.id);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  test('rejects a fraction outside [0, 1)', () => {
    expect(() => stratifiedSplit(items, 1, 1)).toThrow(RangeError);
    expect(() => stratifiedSplit(items, -0.1, 1)).toThrow(RangeError);
  });
});

describe('stratifiedFolds', () => {
  const items = [
    ...Array.from({ length: 193 }, (_, i) => ({ id: `c${i}`, label: 'cataract' })),
    ...Array.from({ length: 188 }, (_, i) => ({ id: `n${i}`, label: 'normal' })),
  ];

  test('near-equal folds with both classes spread evenly', () => {
    const fold = stratifiedFolds(items, 5, 43);
    for (let f = 0; f < 5; f++) {
      const inFold = items.filter((_, i) => fold[i] === f);
      expect(inFold.length).toBeGreaterThanOrEqual(76);
      expect(inFold.length).toBeLessThanOrEqual(77);
      const c = inFold.filter((x) => x.label === 'cataract').length;
      expect(c).toBeGreaterThanOrEqual(38);
      expect(c).toBeLessThanOrEqual(39);
    }
  });

  test('deterministic for a seed', () => {
    expect(stratifiedFolds(items, 5, 43)).toEqual(stratifiedFolds(items, 5, 43));
    expect(stratifiedFolds(items, 5, 44)).not.toEqual(stratifiedFolds(items, 5, 43));
    expect(() => stratifiedFolds(items, 1, 43)).toThrow(RangeError);
  });
});

describe('photoName', () => {
  it('names a photo by its path under the data dir, "/"-separated', () => {
    expect(photoName('/data/train', '/data/train/cataract/image_10.jpg')).toBe('cataract/image_10.jpg');
    expect(photoName('/data/train/', '/data/train/normal/a b.png')).toBe('normal/a b.png');
  });
});
