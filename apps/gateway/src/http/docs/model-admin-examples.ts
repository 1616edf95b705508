import type { ModelChange, ModelListing } from '@cataract/contracts';

/** Example answers of the admin model routes (checked against their zod schemas in the tests). */
export const modelListingExample: ModelListing = {
  models: [
    {
      type: 'lgbm',
      default: 'lgbm-2026-01-15-3f9a2c1b',
      source: 'redis',
      serving: 'lgbm-2026-01-15-3f9a2c1b',
      previous: 'lgbm-2025-12-02-77aa0e19',
      canary: { version: 'lgbm-2026-03-01-aa11bb22', percent: 10 },
      shadow: {
        version: 'lgbm-2026-03-01-aa11bb22',
        compared: 1200,
        agreed: 1164,
        agreement: 0.97,
        skipped: 35,
        by_label: { cataract: { compared: 610, agreed: 598, agreement: 0.9803 }, normal: { compared: 590, agreed: 566, agreement: 0.9593 } },
      },
      versions: [
        { version: 'lgbm-2025-12-02-77aa0e19', created: '2025-12-02T09:00:00.000Z', runtime: 'lightgbm', roles: ['previous'] },
        { version: 'lgbm-2026-01-15-3f9a2c1b', created: '2026-01-15T09:00:00.000Z', runtime: 'lightgbm', roles: ['serving', 'default'] },
        { version: 'lgbm-2026-03-01-aa11bb22', created: '2026-03-01T09:00:00.000Z', runtime: 'lightgbm', roles: ['canary 10%', 'shadow'] },
      ],
      actors: [{ id: 'host-4242-a1b2', host: 'host', serving: 'lgbm-2026-01-15-3f9a2c1b', loaded: ['lgbm-2026-01-15-3f9a2c1b', 'lgbm-2026-03-01-aa11bb22'] }],
    },
  ],
};

export const modelChangeExample: ModelChange = {
  type: 'lgbm',
  state: { serving: 'lgbm-2026-03-01-aa11bb22', previous: 'lgbm-2026-01-15-3f9a2c1b', revision: 4, updated_at: '2026-03-02T10:00:00.000Z' },
  actors: 2,
  switched: 2,
};

export const validationReportExample = { type: 'lgbm' as const, version: 'lgbm-2026-03-01-aa11bb22', runtime: 'lightgbm', valid: true as const };
