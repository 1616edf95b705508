/**
 * One jest configuration for the monorepo, two projects by speed: `unit` runs each package's own
 * test/ folder (npm run test:unit), `system` the cross-process suites in tests/ that start real
 * redis-servers, clusters and a browser (npm run test:system). `npx jest FILE` picks either.
 */
const shared = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: {
    '^@cataract/imaging/feature-set$': '<rootDir>/packages/imaging/src/features/feature-set',
    '^@cataract/(contracts|concurrency|service-kit|imaging|gbdt-trainer|keras-onnx|model-store)$': '<rootDir>/packages/$1/src',
    '^lightgbm-ts-predictor$': '<rootDir>/packages/lightgbm-ts-predictor/src',
    '^@cataract/test-support/(.*)$': '<rootDir>/tests/support/$1',
  },
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tools'], testMatch: ['**/test/**/*.test.ts'] },
    { ...shared, displayName: 'system', roots: ['<rootDir>/tests'], testMatch: ['<rootDir>/tests/**/*.test.ts'] },
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
