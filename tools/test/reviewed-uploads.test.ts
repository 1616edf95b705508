/** Reading reviewed uploads for retraining: which records join, which are skipped and why, duplicates and near-duplicates. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createRng } from '@cataract/gbdt-trainer';
import { writeRetainedRecord } from '@cataract/test-support/retained-records';
import { readReviewedUploads } from '../src/retrain/reviewed-uploads';
import { dropDuplicates, trainingPhotos } from '../src/retrain/training-photos';

/** A picture of large random blocks: its difference hash survives resizing and re-encoding, and two seeds differ in about half its bits. */
function blocks(seed: number, size = 160): Promise<Buffer> {
  const rng = createRng(seed);
  const cells = Array.from({ length: 64 }, (_, i) => {
    const v = Math.floor(rng() * 255);
    return `<rect x="${(i % 8) * (size / 8)}" y="${Math.floor(i / 8) * (size / 8)}" width="${size / 8}" height="${size / 8}" fill="rgb(${v},${255 - v},${(v * 7) % 255})"/>`;
  }).join('');
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">${cells}</svg>`)).jpeg({ quality: 92 }).toBuffer();
}

describe('reviewed uploads (CUSTOMER_DATA_DIR records with a review)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cataract-reviewed-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('only reviewed records join, with their reviewed label; every bad record is skipped with its reason', async () => {
    const cdd = path.join(dir, 'customer');
    const ok = writeRetainedRecord(cdd, await blocks(1), { review: { label: 'cataract', note: 'dense lens', reviewer_key_id: 'k1' } });
    const corrected = writeRetainedRecord(cdd, await blocks(2), { day: '2026-12-08', format: 'png', review: { label: 'normal' } });
    writeRetainedRecord(cdd, await blocks(3)); // no review: never used
    const tampered = writeRetainedRecord(cdd, await blocks(4), { review: { label: 'cataract' } });
    writeFileSync(tampered.imagePath, await blocks(5));
    const missing = writeRetainedRecord(cdd, await blocks(6), { review: { label: 'normal' } });
    rmSync(missing.imagePath);
    const badLabel = writeRetainedRecord(cdd, await blocks(7), { review: { label: 'cataract' } });
    const edit = (p: string, f: (s: any) => void) => {
      const s = JSON.parse(require('node:fs').readFileSync(p, 'utf8'));
      f(s);
      writeFileSync(p, JSON.stringify(s));
    };
    edit(badLabel.sidecarPath, (s) => (s.review.label = 'maybe'));
    const traversal = writeRetainedRecord(cdd, await blocks(8), { review: { label: 'cataract' } });
    edit(traversal.sidecarPath, (s) => (s.image.file = '../../etc/passwd'));
    const noDate = writeRetainedRecord(cdd, await blocks(9), { review: { label: 'cataract' } });
    edit(noDate.sidecarPath, (s) => delete s.review.reviewed_at);
    writeFileSync(path.join(cdd, '2026-12-07', 'torn.json'), '{"record_id": "torn"');
    writeFileSync(path.join(cdd, '2026-12-07', 'x.jpg.123.tmp'), 'half-written');
    mkdirSync(path.join(cdd, 'not-a-day'));
    writeFileSync(path.join(cdd, 'not-a-day', 'a.json'), '{}');

    const r = await readReviewedUploads(cdd);
    expect(r.reviewed.map((x) => ({ id: x.recordId, label: x.label, name: x.name }))).toEqual([
      { id: ok.id, label: 'cataract', name: `reviewed/2026-12-07/${ok.id}.jpg` },
      { id: corrected.id, label: 'normal', name: `reviewed/2026-12-08/${corrected.id}.png` },
    ]);
    expect(r.unreviewed).toBe(1);
    const reasons = Object.fromEntries(r.skipped.map((s) => [path.basename(s.sidecar), s.reason]));
    expect(reasons).toEqual({
      [`${tampered.id}.json`]: expect.stringMatching(/^sha256 of .* is [0-9a-f]{64}, the sidecar says [0-9a-f]{64}$/),
      [`${missing.id}.json`]: expect.stringContaining('unreadable (ENOENT)'),
      [`${badLabel.id}.json`]: expect.stringMatching(/^review\.label: /),
      [`${traversal.id}.json`]: expect.stringMatching(/^image\.file: .*plain file name/),
      [`${noDate.id}.json`]: expect.stringMatching(/^review\.reviewed_at: /),
      'torn.json': 'not JSON',
    });
  });

  test('a folder that does not exist is an error naming the option', async () => {
    await expect(readReviewedUploads(path.join(dir, 'nope'))).rejects.toThrow(/--reviewed .*nope: not a readable folder \(ENOENT\)/);
  });

  test('exact duplicates: of a training photo dropped (labels reported), of another upload the latest review wins', () => {
    const photo = (name: string, sha: string, label: 'cataract' | 'normal', reviewedAt: string) => ({ path: `/x/${name}`, name, label, recordId: name, sha256: sha, reviewedAt });
    const training = new Map([['a'.repeat(64), { name: 'normal/n1.jpg', label: 'normal' }]]);
    const { kept, dropped } = dropDuplicates(training, [
      photo('r1', 'a'.repeat(64), 'cataract', '2026-12-07T10:00:00Z'),
      photo('r2', 'b'.repeat(64), 'normal', '2026-12-07T11:00:00Z'),
      photo('r3', 'b'.repeat(64), 'cataract', '2026-12-07T12:00:00Z'),
      photo('r4', 'c'.repeat(64), 'normal', '2026-12-07T09:00:00Z'),
    ]);
    expect(kept.map((k) => k.name)).toEqual(['r3', 'r4']);
    expect(dropped).toEqual([
      { name: 'r1', of: 'normal/n1.jpg', label: 'cataract', of_label: 'normal' },
      { name: 'r2', of: 'r3', label: 'normal', of_label: 'cataract' },
    ]);
  });

  test('training set: reviewed uploads join; a re-encoded copy of a training photo shares its near-duplicate group and so every fold', async () => {
    const data = path.join(dir, 'data');
    for (const label of ['cataract', 'normal']) mkdirSync(path.join(data, label), { recursive: true });
    for (let i = 0; i < 4; i++) {
      writeFileSync(path.join(data, 'cataract', `c${i}.jpg`), await blocks(100 + i));
      writeFileSync(path.join(data, 'normal', `n${i}.jpg`), await blocks(200 + i));
    }
    const cdd = path.join(dir, 'customer');
    const copy = await sharp(await blocks(101)).resize(120).jpeg({ quality: 70 }).toBuffer();
    const nearDup = writeRetainedRecord(cdd, copy, { review: { label: 'cataract' }, stamp: '20261207T120000001Z' });
    const exact = writeRetainedRecord(cdd, await blocks(202), { review: { label: 'normal' }, stamp: '20261207T120000002Z' });
    const fresh = writeRetainedRecord(cdd, await blocks(300), { review: { label: 'normal' }, stamp: '20261207T120000003Z' });
    writeRetainedRecord(cdd, await blocks(301)); // unreviewed
    const lines: string[] = [];
    const { pf, reviewed } = await trainingPhotos(data, { k: 2, repeats: 3, seed: 7, maxHamming: 10 }, cdd, (m) => lines.push(m));
    const names = pf.images.map((x) => x.name ?? path.relative(data, x.path));
    expect(names).toEqual(['cataract/c0.jpg', 'cataract/c1.jpg', 'cataract/c2.jpg', 'cataract/c3.jpg', 'normal/n0.jpg', 'normal/n1.jpg', 'normal/n2.jpg', 'normal/n3.jpg', `reviewed/2026-12-07/${nearDup.id}.jpg`, `reviewed/2026-12-07/${fresh.id}.jpg`]);
    const iCopy = names.indexOf(`reviewed/2026-12-07/${nearDup.id}.jpg`);
    const iOrig = names.indexOf('cataract/c1.jpg');
    expect(pf.duplicates.group[iCopy]).toBe(pf.duplicates.group[iOrig]);
    for (const f of pf.plan.fold) expect(f[iCopy]).toBe(f[iOrig]);
    expect(Array.from(pf.labels.slice(-2))).toEqual([1, 0]);
    expect(reviewed).toMatchObject({ used: 2, by_label: { cataract: 1, normal: 1 }, unreviewed_ignored: 1, skipped: [], grouped_with_training_photos: 1 });
    expect(reviewed!.duplicates_dropped).toEqual([{ name: `reviewed/2026-12-07/${exact.id}.jpg`, of: 'normal/n2.jpg', label: 'normal', of_label: 'normal' }]);
    expect(lines[0]).toMatch(/2 reviewed uploads join \(1 cataract, 1 normal\); 1 unreviewed ignored; 1 exact duplicates dropped; 1 share a near-duplicate group/);
  });
});
