import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { predictPhoto, routeUrl } from '../src/eval/client';
import { EvalRequestError } from '../src/eval/errors';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

describe('predictPhoto against a stand-in service', () => {
  let server: Server;
  let base: string;
  let handler: Handler;
  const seen: Array<{ url: string; apiKey?: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ url: req.url ?? '', apiKey: req.headers['x-api-key'] as string | undefined, body: body.toString('latin1') });
        handler(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen.length = 0));

  const photo = { bytes: Buffer.from('JPEGBYTES'), mimeType: 'image/jpeg', fileName: 'photo.jpg' };
  const answer = (p: number) => JSON.stringify({ prediction: p >= 0.5 ? 'cataract' : 'normal', confidence: Math.max(p, 1 - p), probabilities: { cataract: p, normal: 1 - p } });

  test('posts the photo in field "file" with the API key and reads label and P(cataract)', async () => {
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(answer(0.8));
    const a = await predictPhoto({ base, apiKey: 'k1' }, 'lgbm', photo);
    expect(a).toEqual({ label: 'cataract', pCataract: 0.8 });
    expect(seen[0].url).toBe('/predict_lgbm');
    expect(seen[0].apiKey).toBe('k1');
    expect(seen[0].body).toMatch(/name="file"; filename="photo.jpg"[\s\S]*JPEGBYTES/);
  });

  test('429 and 503 are waited out by Retry-After, then the answer counts', async () => {
    let n = 0;
    handler = (_req, _body, res) => {
      n++;
      if (n === 1) return res.writeHead(429, { 'retry-after': '0' }).end('{}');
      if (n === 2) return res.writeHead(503, { 'retry-after': '0' }).end('{}');
      res.writeHead(200).end(answer(0.3));
    };
    expect(await predictPhoto({ base }, 'clip', photo)).toEqual({ label: 'normal', pCataract: 0.3 });
    expect(seen).toHaveLength(3);
  });

  test('gives up after maxAttempts with the status; other errors and non-answers fail at once', async () => {
    handler = (_req, _body, res) => res.writeHead(503, { 'retry-after': '0' }).end('{"error":{"code":"no_actor"}}');
    const busy = await predictPhoto({ base, maxAttempts: 2 }, 'clip', photo).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(EvalRequestError);
    expect(busy).toMatchObject({ status: 503, message: expect.stringContaining('no_actor') });
    expect(seen).toHaveLength(2);
    handler = (_req, _body, res) => res.writeHead(415).end('{"error":{"code":"unsupported_media_type"}}');
    await expect(predictPhoto({ base }, 'lgbm', photo)).rejects.toMatchObject({ status: 415 });
    handler = (_req, _body, res) => res.writeHead(200).end('{"prediction":"maybe"}');
    await expect(predictPhoto({ base }, 'lgbm', photo)).rejects.toThrow(/not a prediction answer/);
  });

  test('route URLs: under the base path; the ensemble strategy in the ensemble route\'s query only', () => {
    const o = { base: 'http://h:1', ensembleQuery: 'strategy=cascade' };
    expect(routeUrl(o, 'ensemble')).toBe('http://h:1/predict_ensemble?strategy=cascade');
    expect(routeUrl(o, 'lgbm')).toBe('http://h:1/predict_lgbm');
    expect(routeUrl({ base: 'https://h/api' }, 'clip')).toBe('https://h/api/predict_clip');
    expect(routeUrl({ base: 'https://h/api/' }, 'clip')).toBe('https://h/api/predict_clip');
  });
});
