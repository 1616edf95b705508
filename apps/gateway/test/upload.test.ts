import express from 'express';
import request from 'supertest';
import { syntheticEye } from '@cataract/test-support/photos';
import { errorHandler } from '../src/http/middleware/error-handler';
import { requestContext } from '../src/http/middleware/request-context';
import { imageUpload } from '../src/http/upload';
import { pngBomb } from './helpers';

/** The upload chain alone, answering what it accepted. */
function app(maxBytes = 1024 * 1024, maxPixels?: number) {
  const a = express();
  a.use(requestContext(5000));
  a.post('/up', ...imageUpload({ maxBytes, maxPixels }), (_req, res) => {
    const u = res.locals.upload!;
    res.json({ field: u.field, bytes: u.buffer.length, probe: u.probe, filename: u.filename });
  });
  a.use(errorHandler);
  return a;
}

describe('image upload middleware', () => {
  let jpeg: Buffer;
  beforeAll(async () => {
    jpeg = await syntheticEye({ label: 'normal', seed: 3 });
  });

  it.each(['file', 'image'])('accepts one image in field %s', async (field) => {
    const r = await request(app()).post('/up').attach(field, jpeg, 'eye.jpg');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ field, bytes: jpeg.length, probe: { format: 'jpeg', width: 320, height: 240 }, filename: 'eye.jpg' });
  });

  it.each(['png', 'webp'] as const)('accepts %s by content whatever the declared type', async (format) => {
    const img = await syntheticEye({ label: 'cataract', seed: 4, format });
    const r = await request(app()).post('/up').attach('file', img, { filename: 'x.txt', contentType: 'text/plain' });
    expect(r.status).toBe(200);
    expect(r.body.probe.format).toBe(format);
  });

  it('400 no_file without a multipart body or without a file part', async () => {
    const a = app();
    const bare = await request(a).post('/up');
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('no_file');
    const fieldsOnly = await request(a).post('/up').field('note', 'hello');
    expect(fieldsOnly.status).toBe(400);
    expect(fieldsOnly.body.error.code).toBe('no_file');
  });

  it('400 unexpected_field for a file under another name', async () => {
    const r = await request(app()).post('/up').attach('photo', jpeg, 'eye.jpg');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('unexpected_field');
    expect(r.body.error.message).toContain('photo');
  });

  it('400 too_many_files for two files (same or different accepted fields)', async () => {
    const same = await request(app()).post('/up').attach('file', jpeg, 'a.jpg').attach('file', jpeg, 'b.jpg');
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('too_many_files');
    const both = await request(app()).post('/up').attach('file', jpeg, 'a.jpg').attach('image', jpeg, 'b.jpg');
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('too_many_files');
  });

  it('400 bad_request for a malformed multipart body', async () => {
    const r = await request(app()).post('/up').set('Content-Type', 'multipart/form-data').send('garbage');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('bad_request');
  });

  it('413 file_too_large over the size limit', async () => {
    const r = await request(app(10_000)).post('/up').attach('file', Buffer.alloc(20_000, 1), 'big.jpg');
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('file_too_large');
  });

  it('415 for bytes that are not an accepted image, checked by content', async () => {
    const a = app();
    const cases: Array<[Buffer, string]> = [
      [Buffer.from('hello\n'), 'unsupported_format'],
      [Buffer.alloc(0), 'unsupported_format'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'unsupported_format'],
      [Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'unsupported_format'],
      [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'undecodable_image'],
      [jpeg.subarray(0, 20), 'undecodable_image'],
    ];
    for (const [bytes, code] of cases) {
      const r = await request(a).post('/up').attach('file', bytes, { filename: 'x.jpg', contentType: 'image/jpeg' });
      expect({ status: r.status, code: r.body.error?.code }).toEqual({ status: 415, code });
    }
  });

  it('415 too_many_pixels for a decompression bomb, from its header alone', async () => {
    const r = await request(app(2 * 1024 * 1024)).post('/up').attach('file', pngBomb(30000, 30000), 'bomb.png');
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('too_many_pixels');
    const small = await request(app(1024 * 1024, 10_000)).post('/up').attach('file', jpeg, 'eye.jpg');
    expect(small.status).toBe(415);
    expect(small.body.error.code).toBe('too_many_pixels');
  });
});
