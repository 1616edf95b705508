import SwaggerParser from '@apidevtools/swagger-parser';
import {
  BatchResponseSchema,
  DriftStatusSchema,
  DriftSummarySchema,
  ERROR_CODES,
  FeedbackRequestSchema,
  FeedbackResponseSchema,
  EnsembleResponseSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  ModelChangeSchema,
  ModelListingSchema,
  PredictionResponseSchema,
  ValidationReportSchema,
} from '@cataract/contracts';
import express from 'express';
import request from 'supertest';
import { buildOpenApiDocument } from '../../src/http/docs/openapi';
import { ApiInfoSchema } from '../../src/http/docs/schemas';
import { docsRouter } from '../../src/http/docs/swagger';
import { securityHeaders } from '../../src/http/security/headers';

type Doc = ReturnType<typeof buildOpenApiDocument>;
const build = (): Doc =>
  buildOpenApiDocument({ title: 'Cataract Cluster API', version: '0.1.0', description: 'test', predictModels: ['lgbm', 'clip'], maxUploadMb: 10 });

describe('OpenAPI document', () => {
  const doc = build();
  const op = (path: string, method: 'get' | 'post') => (doc.paths as Record<string, Record<string, any>>)[path][method];

  it('is a valid OpenAPI 3.0 document (swagger-parser, with every $ref resolved)', async () => {
    expect(doc.openapi).toMatch(/^3\.0\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('documents every endpoint', () => {
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(
      [
        '/',
        '/health',
        '/metrics',
        '/openapi.json',
        '/predict_clip',
        '/predict_ensemble',
        '/predict_lgbm',
        '/predict_batch',
        '/feedback',
        '/drift_status',
        '/admin/models',
        ...['promote', 'canary', 'shadow', 'rollback', 'validate'].map((op) => `/admin/models/{type}/${op}`),
      ].sort(),
    );
  });

  it('declares the API key as X-API-Key header and bearer, required on predict, /metrics and the admin model routes', () => {
    expect(doc.components?.securitySchemes).toEqual({
      ApiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      BearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const [p, m] of [['/predict_lgbm', 'post'], ['/predict_clip', 'post'], ['/predict_ensemble', 'post'], ['/metrics', 'get'], ['/admin/models', 'get'], ['/admin/models/{type}/promote', 'post']] as const) {
      expect(op(p, m).security).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }]);
    }
    for (const p of ['/', '/health', '/openapi.json']) expect(op(p, 'get').security).toEqual([]);
  });

  it('takes the upload as multipart/form-data (binary "file" or "image") and ?strategy= on the ensemble', () => {
    for (const p of ['/predict_lgbm', '/predict_clip', '/predict_ensemble']) {
      const schema = op(p, 'post').requestBody.content['multipart/form-data'].schema;
      expect(schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
      expect(schema.properties.image).toMatchObject({ type: 'string', format: 'binary' });
    }
    expect(op('/predict_ensemble', 'post').parameters).toEqual([
      expect.objectContaining({ in: 'query', name: 'strategy', schema: expect.objectContaining({ enum: ['weighted', 'cascade'] }) }),
    ]);
  });

  it('registers the contracts’ schemas as components', () => {
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['ErrorResponse', 'PredictionResponse', 'EnsembleResponse', 'HealthResponse', 'ApiInfo']),
    );
    const errorCodes = (doc.components!.schemas!.ErrorResponse as any).properties.error.properties.code.enum;
    expect(errorCodes).toEqual([...ERROR_CODES]);
  });

  it('gives every response an example that the same zod schema accepts', () => {
    const schemaFor: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
      PredictionResponse: PredictionResponseSchema,
      EnsembleResponse: EnsembleResponseSchema,
      HealthResponse: HealthResponseSchema,
      ErrorResponse: ErrorResponseSchema,
      ApiInfo: ApiInfoSchema,
      ModelListing: ModelListingSchema,
      ModelChange: ModelChangeSchema,
      ModelValidation: ValidationReportSchema,
      BatchResponse: BatchResponseSchema,
      FeedbackResponse: FeedbackResponseSchema,
    };
    let checked = 0;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, operation] of Object.entries(item as Record<string, any>)) {
        for (const [status, response] of Object.entries(operation.responses as Record<string, any>)) {
          const where = `${method.toUpperCase()} ${path} ${status}`;
          const json = response.content?.['application/json'];
          if (!json) {
            expect(response.content?.['text/plain']?.example ?? path).toBeTruthy();
            continue;
          }
          const ref: string | undefined = json.schema.$ref;
          if (!ref) continue; // free-form (the document itself)
          const name = ref.split('/').pop()!;
          const examples = json.example !== undefined ? [json.example] : Object.values(json.examples ?? {}).map((e: any) => e.value);
          expect({ where, count: examples.length }).toEqual({ where, count: expect.any(Number) });
          expect(examples.length).toBeGreaterThan(0);
          for (const ex of examples) {
            expect({ where, ok: schemaFor[name].safeParse(ex).success }).toEqual({ where, ok: true });
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('has an example for each error code a prediction can end with, under its HTTP status', () => {
    const responses = op('/predict_lgbm', 'post').responses as Record<string, any>;
    const byCode = new Map<string, string>();
    for (const [status, r] of Object.entries(responses)) {
      for (const ex of Object.values(r.content?.['application/json']?.examples ?? {}) as any[]) byCode.set(ex.value.error.code, status);
    }
    expect(Object.fromEntries(byCode)).toMatchObject({
      no_file: '400',
      unauthorized: '401',
      forbidden: '403',
      file_too_large: '413',
      unsupported_format: '415',
      rate_limited: '429',
      inference_failed: '502',
      no_actor: '503',
      queue_full: '503',
      storage_unavailable: '503',
      timeout: '504',
    });
    expect(responses['429'].headers).toEqual(expect.objectContaining({ 'Retry-After': expect.anything(), 'RateLimit-Remaining': expect.anything() }));
    expect(responses['503'].headers).toEqual(expect.objectContaining({ 'Retry-After': expect.anything() }));
  });
});

describe('GET /drift_status in the document', () => {
  it('answers the full report or the public summary, each example accepted by its zod schema; ?model= only; open without a key', () => {
    const op = (build().paths as Record<string, Record<string, any>>)['/drift_status'].get;
    const json = op.responses['200'].content['application/json'];
    expect(json.schema.anyOf).toEqual([{ $ref: '#/components/schemas/DriftStatus' }, { $ref: '#/components/schemas/DriftSummary' }]);
    expect(DriftStatusSchema.safeParse(json.examples.report.value).success).toBe(true);
    expect(DriftSummarySchema.strict().safeParse(json.examples.summary.value).success).toBe(true);
    expect(op.parameters).toEqual([expect.objectContaining({ in: 'query', name: 'model', required: false, schema: expect.objectContaining({ enum: ['lgbm', 'clip'] }) })]);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '403', '503']));
    expect(op.security).toEqual([{}, { ApiKeyHeader: [] }, { BearerAuth: [] }]);
  });
});

describe('docs routes', () => {
  const app = express();
  app.use(securityHeaders());
  app.use(docsRouter(build()).router);

  it('serves the document at /openapi.json', async () => {
    const r = await request(app).get('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(r.body.paths['/predict_ensemble']).toBeDefined();
  });

  it('serves Swagger UI from the package at /docs/ (no CDN), pointed at /openapi.json', async () => {
    const redirect = await request(app).get('/docs');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');
    const page = await request(app).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/swagger-ui/i);
    expect(page.text).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // every asset is local
    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.text).toContain('"url": "/openapi.json"');
    const bundle = await request(app).get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('documents POST /predict_batch (repeated "images", ?model=) and POST /feedback (JSON body, its refusals)', () => {
    const doc = build();
    const op = (path: string, method: 'post') => (doc.paths as Record<string, Record<string, any>>)[path][method];
    const batch = op('/predict_batch', 'post');
    expect(batch.requestBody.content['multipart/form-data'].schema.properties.images).toMatchObject({ type: 'array', items: { type: 'string', format: 'binary' } });
    expect(batch.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'model', schema: expect.objectContaining({ enum: ['lgbm', 'clip', 'ensemble'] }) })]),
    );
    expect(Object.keys(batch.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '429', '503']));
    const feedback = op('/feedback', 'post');
    expect(feedback.security).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }]);
    expect(FeedbackRequestSchema.safeParse(feedback.requestBody.content['application/json'].example).success).toBe(true);
    const codes = (status: string) => Object.keys(feedback.responses[status].content['application/json'].examples);
    expect(codes('400')).toEqual(['invalid_feedback']);
    expect(codes('404')).toEqual(['unknown_request']);
    expect(codes('409').sort()).toEqual(['review_conflict', 'uploads_not_retained']);
    expect(codes('403')).toEqual(['forbidden']);
  });
});
