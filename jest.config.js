/** One jest run for the whole monorepo: unit tests beside their package, cross-process tests in tests/. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/tools', '<rootDir>/tests'],
  testMatch: ['**/test/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: {
    '^@cataract/(contracts|concurrency|imaging|gbdt-trainer|keras-onnx|model-store)$': '<rootDir>/packages/$1/src',
    '^lightgbm-ts-predictor$': '<rootDir>/packages/lightgbm-ts-predictor/src',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
