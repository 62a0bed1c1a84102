// Shared jest settings: TypeScript through swc, workspace packages resolved to their sources
// so tests never run against a stale build.
const path = require('node:path');

module.exports = (dir) => ({
  rootDir: dir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleNameMapper: {
    '^@metagrad/([a-z]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
  testTimeout: 120000,
});
