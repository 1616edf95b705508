/**
 * One jest configuration for the monorepo, three projects by speed: `unit` runs each package's own
 * test/ folder (npm run test:unit), `system` the cross-process suites in tests/ that start real
 * redis-servers, clusters and a browser (npm run test:system), `containers` the Docker suite in
 * tests/docker (npm run test:containers). `npx jest FILE` picks any. The container suite runs on
 * its own: its image builds and compose stacks take both cores for minutes, and the fault suites
 * beside it hold a cluster to deadlines that assume the machine is theirs.
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
    { ...shared, displayName: 'system', roots: ['<rootDir>/tests'], testMatch: ['<rootDir>/tests/**/*.test.ts'], testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '<rootDir>/tests/docker/'] },
    { ...shared, displayName: 'containers', roots: ['<rootDir>/tests/docker'], testMatch: ['<rootDir>/tests/docker/**/*.test.ts'] },
  ],
  testTimeout: 60000,
  maxWorkers: 2,
};
