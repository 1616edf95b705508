import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { CanaryBodySchema, ErrorCode, MODEL_STORE_ERROR_CODES, ModelChangeSchema, ModelListingSchema, PromoteBodySchema, ShadowBodySchema, ValidationReportSchema } from '@cataract/contracts';
import { z } from 'zod';
import { modelChangeExample, modelListingExample, validationReportExample } from './model-admin-examples';

/** What the admin model routes can answer besides their own result. */
const ADMIN_ERRORS: ErrorCode[] = ['bad_request', 'unauthorized', 'forbidden', 'unknown_model_type', 'unknown_version', 'redis_unavailable', 'internal_error'];
const CHANGE_ERRORS: ErrorCode[] = [...new Set([...ADMIN_ERRORS, ...MODEL_STORE_ERROR_CODES])];

export interface AdminDocHelpers {
  errors(codes: readonly ErrorCode[]): Record<string, ResponseConfig>;
  ok(description: string, schema: z.ZodType, example: unknown): ResponseConfig;
  keyed: Array<Record<string, string[]>>;
}

/** The /admin/models routes (routes/model-admin.ts) in the OpenAPI document. */
export function registerModelAdminPaths(registry: OpenAPIRegistry, h: AdminDocHelpers): void {
  const Listing = registry.register('ModelListing', ModelListingSchema.clone());
  const Change = registry.register('ModelChange', ModelChangeSchema.clone());
  const Validation = registry.register('ModelValidation', ValidationReportSchema.clone());
  const typeParam = z.object({ type: z.enum(['lgbm', 'clip']).openapi({ description: 'model type', example: 'lgbm' }) });
  const json = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
  const refused =
    'Checked first: the version must be in the store with a manifest whose sha256 match every file and whose feature set this build computes; then every live actor loads and warms it beside what it serves, and only when all report it ready is the new state written (Redis) and the actors switch between jobs. Any refusal changes nothing.';

  registry.registerPath({
    method: 'get',
    path: '/admin/models',
    tags: ['models'],
    summary: 'Model versions, which serves, what each actor holds, shadow agreement',
    security: h.keyed,
    responses: { 200: h.ok('Every model type with a model', Listing, modelListingExample), ...h.errors(ADMIN_ERRORS) },
  });
  const change = (path: string, summary: string, description: string, body?: z.ZodType) =>
    registry.registerPath({
      method: 'post',
      path: `/admin/models/{type}/${path}`,
      tags: ['models'],
      summary,
      description: `${description} ${refused}`,
      security: h.keyed,
      request: { params: typeParam, ...(body && json(body)) },
      responses: { 200: h.ok('The new state, and how many live actors already follow it', Change, modelChangeExample), ...h.errors(CHANGE_ERRORS) },
    });
  change('promote', 'Make a version serve every request', 'The serving version becomes `previous`; a canary ends.', PromoteBodySchema.clone());
  change('canary', 'Answer a percentage of requests with a version', 'Requests are split by request id; percent 0 ends the canary.', CanaryBodySchema.clone());
  change('shadow', 'Run a version on a copy of live requests', 'Its answers are never returned; their agreement with the answered ones is counted (GET /admin/models, /metrics). version null ends it.', ShadowBodySchema.clone());
  change('rollback', 'Take back the last change', 'Ends a running canary; otherwise the previous version serves again.');
  registry.registerPath({
    method: 'post',
    path: '/admin/models/{type}/validate',
    tags: ['models'],
    summary: 'Check a published version without changing anything',
    description: 'Manifest, sha256 of every file, feature set. The warm-up predictions run in the actors at promotion (or with `npm run models -- validate DIR`).',
    security: h.keyed,
    request: { params: typeParam, ...json(PromoteBodySchema.clone()) },
    responses: { 200: h.ok('The version passed every check', Validation, validationReportExample), ...h.errors([...ADMIN_ERRORS, 'invalid_manifest', 'checksum_mismatch', 'unsupported_feature_set']) },
  });
}
