import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as atomic from '../../src/retention/atomic-write';
import { TEMP_PREFIX, writeFileAtomic } from '../../src/retention/atomic-write';
import { pruneRetained } from '../../src/retention/pruner';
import { RetentionSidecar, UploadStore, UploadToKeep } from '../../src/retention/upload-store';

const DAY = 24 * 60 * 60 * 1000;

function upload(over: Partial<UploadToKeep> = {}): UploadToKeep {
  return {
    requestId: 'req-1',
    receivedAt: new Date('2026-02-01T10:00:00.000Z'),
    endpoint: '/predict_lgbm',
    keyId: 'ab12cd34',
    bytes: Buffer.from('\xff\xd8\xff\xe0 not really a jpeg but bytes as received', 'latin1'),
    format: 'jpeg',
    width: 640,
    height: 480,
    results: { lgbm: { prediction: 'normal', confidence: 0.8, probabilities: { cataract: 0.2, normal: 0.8 }, model_version: 'lgbm-v1', actor_id: 'a1' } },
    answer: { prediction: 'normal', confidence: 0.8, model_used: 'lgbm', model_version: 'lgbm-v1' },
    ...over,
  };
}

describe('retained uploads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'customer-data-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the image byte for byte and a JSON sidecar beside it, under the day directory', async () => {
    const store = new UploadStore(dir, () => new Date('2026-02-01T10:00:01.500Z'));
    const u = upload();
    const kept = await store.keep(u);
    expect(kept.imagePath.startsWith(join(dir, '2026-02-01'))).toBe(true);
    expect(kept.imagePath.endsWith('.jpg')).toBe(true);
    expect(readFileSync(kept.imagePath).equals(u.bytes)).toBe(true);
    const sidecar = JSON.parse(readFileSync(kept.sidecarPath, 'utf8')) as RetentionSidecar;
    expect(sidecar).toEqual({
      schema_version: 1,
      record_id: kept.id,
      request_id: 'req-1',
      received_at: '2026-02-01T10:00:00.000Z',
      stored_at: '2026-02-01T10:00:01.500Z',
      endpoint: '/predict_lgbm',
      client_key_id: 'ab12cd34',
      image: {
        file: `${kept.id}.jpg`,
        format: 'jpeg',
        width: 640,
        height: 480,
        bytes: u.bytes.length,
        sha256: createHash('sha256').update(u.bytes).digest('hex'),
      },
      results: u.results,
      answer: u.answer,
    });
    expect(readdirSync(join(dir, '2026-02-01')).sort()).toEqual([`${kept.id}.jpg`, `${kept.id}.json`].sort());
  });

  it('never lets a client-chosen request id collide: two uploads with one id are two records', async () => {
    const store = new UploadStore(dir);
    const a = await store.keep(upload({ requestId: 'same' }));
    const b = await store.keep(upload({ requestId: 'same', bytes: Buffer.from('other bytes') }));
    expect(a.id).not.toBe(b.id);
    expect(readFileSync(a.imagePath).toString('latin1')).toContain('not really a jpeg');
    expect(readFileSync(b.imagePath).toString()).toBe('other bytes');
  });

  it('writes atomically: an existing file is replaced whole, and a failed write leaves neither temp nor partial file', async () => {
    const path = join(dir, 'x.json');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new content');
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['x.json']);
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'y.json'), 'z')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('a failure after the image was written (sidecar, disk full) leaves no record and no temp file', async () => {
    const store = new UploadStore(dir, () => new Date('2026-02-01T10:00:00Z'));
    const real = atomic.writeFileAtomic;
    const spy = jest.spyOn(atomic, 'writeFileAtomic').mockImplementation(async (path, data, mode) => {
      if (String(path).endsWith('.json')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return real(path, data, mode);
    });
    try {
      await expect(store.keep(upload())).rejects.toThrow(/ENOSPC/);
    } finally {
      spy.mockRestore();
    }
    expect(readdirSync(join(dir, '2026-02-01'))).toEqual([]);
  });

  describe('retention (CUSTOMER_DATA_MAX_DAYS)', () => {
    const now = Date.parse('2026-03-10T12:00:00Z');
    const put = (day: string, name: string, ageMs: number) => {
      mkdirSync(join(dir, day), { recursive: true });
      const p = join(dir, day, name);
      writeFileSync(p, name);
      const t = new Date(now - ageMs);
      utimesSync(p, t, t);
      return p;
    };

    it('drops whole days past the limit, and records past it in the boundary day; keeps the rest', async () => {
      const oldDay = [put('2026-02-01', 'r1.jpg', 37 * DAY), put('2026-02-01', 'r1.json', 37 * DAY)];
      const boundaryOld = [put('2026-02-08', 'r2.png', 30.3 * DAY), put('2026-02-08', 'r2.json', 30.3 * DAY)];
      const boundaryNew = [put('2026-02-08', 'r3.png', 29.9 * DAY), put('2026-02-08', 'r3.json', 29.9 * DAY)];
      const recent = [put('2026-03-10', 'r4.webp', 1000), put('2026-03-10', 'r4.json', 1000)];
      mkdirSync(join(dir, 'not-a-day'));
      const report = await pruneRetained(dir, { maxDays: 30, now: () => now });
      expect(report).toEqual({ removedDays: 1, removedRecords: 2, removedLeftovers: 0 });
      for (const p of [...oldDay, ...boundaryOld]) expect(existsSync(p)).toBe(false);
      for (const p of [...boundaryNew, ...recent]) expect(existsSync(p)).toBe(true);
      expect(existsSync(join(dir, 'not-a-day'))).toBe(true);
    });

    it('removes crash leftovers (temp files, images without sidecar) once they are an hour old', async () => {
      const oldTemp = put('2026-03-10', `${TEMP_PREFIX}r5.jpg.abc`, 2 * 60 * 60 * 1000);
      const oldOrphan = put('2026-03-10', 'r6.jpg', 2 * 60 * 60 * 1000);
      const freshOrphan = put('2026-03-10', 'r7.jpg', 1000); // its sidecar may be being written right now
      const report = await pruneRetained(dir, { maxDays: 0, now: () => now });
      expect(report.removedLeftovers).toBe(2);
      expect(existsSync(oldTemp)).toBe(false);
      expect(existsSync(oldOrphan)).toBe(false);
      expect(existsSync(freshOrphan)).toBe(true);
    });

    it('keeps everything complete when the limit is 0, and tolerates a missing directory', async () => {
      const ancient = [put('2020-01-01', 'r8.jpg', 2000 * DAY), put('2020-01-01', 'r8.json', 2000 * DAY)];
      expect((await pruneRetained(dir, { maxDays: 0, now: () => now })).removedRecords).toBe(0);
      for (const p of ancient) expect(existsSync(p)).toBe(true);
      await expect(pruneRetained(join(dir, 'absent'), { maxDays: 30 })).resolves.toEqual({ removedDays: 0, removedRecords: 0, removedLeftovers: 0 });
    });
  });
});
