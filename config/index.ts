export { ConfigurationError, Environment, loadEnvironment, loadEnvironmentOrExit } from './environment';
export { loggerFor, logLevelsOf } from './logger';
