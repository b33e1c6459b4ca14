// Nest 12 ships ES modules; Jest on Node 20 cannot require() them, so swc compiles them to CommonJS too.
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  },
];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '(apps|libs|config|test)/.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@apidevtools)/)'],
  moduleNameMapper: {
    '^@app/database$': '<rootDir>/libs/database/src',
    '^@app/database/(.*)$': '<rootDir>/libs/database/src/$1',
    '^@app/alerting$': '<rootDir>/libs/alerting/src',
    '^@app/alerting/(.*)$': '<rootDir>/libs/alerting/src/$1',
    '^@app/access$': '<rootDir>/libs/access/src',
    '^@app/access/(.*)$': '<rootDir>/libs/access/src/$1',
    '^@app/inventory$': '<rootDir>/libs/inventory/src',
    '^@app/inventory/(.*)$': '<rootDir>/libs/inventory/src/$1',
    '^@app/coverage$': '<rootDir>/libs/coverage/src',
    '^@app/coverage/(.*)$': '<rootDir>/libs/coverage/src/$1',
    '^@app/snmp$': '<rootDir>/libs/snmp/src',
    '^@app/snmp/(.*)$': '<rootDir>/libs/snmp/src/$1',
    '^@app/polling$': '<rootDir>/libs/polling/src',
    '^@app/polling/(.*)$': '<rootDir>/libs/polling/src/$1',
    '^@app/config$': '<rootDir>/config',
  },
  testTimeout: 60000,
  maxWorkers: 2,
};
