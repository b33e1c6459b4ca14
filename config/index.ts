export { ConfigurationError, Environment, loadEnvironment, loadEnvironmentOrExit } from './environment';
