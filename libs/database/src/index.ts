export { buildDataSourceOptions, createPglite, engineOf, type DatabaseSettings } from './data-source-options';
export { DatabaseModule, type DatabaseModuleOptions } from './database.module';
export { MIGRATIONS } from './migrations';
export { PglitePool } from './pglite-pool';
export { SnakeNamingStrategy } from './snake-naming.strategy';
export { DataDirLockedError, lockDataDir, lockDataDirOrExit, unlockDataDir } from './data-dir-lock';
export { PgliteMaintenance, type MaintenanceStep } from './pglite-maintenance';
