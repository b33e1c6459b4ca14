import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions, type DatabaseSettings } from './data-source-options';
import { PGLITE_MAINTENANCE_EVERY, PgliteMaintenance } from './pglite-maintenance';

export interface DatabaseModuleOptions extends DatabaseSettings {
  /** Apply pending migrations when the data source opens. */
  migrate: boolean;
  /** PGlite only: how often tables are checked for analysing and vacuuming (ms; 0: never). Default a minute. */
  maintenanceEveryMs?: number;
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: async () => ({
            ...(await buildDataSourceOptions(options)),
            migrationsRun: options.migrate,
            migrationsTransactionMode: 'each',
          }),
        }),
      ],
      // PGlite has no autovacuum: a stand-in analyses and vacuums its tables.
      providers: options.url ? [] : [PgliteMaintenance, { provide: PGLITE_MAINTENANCE_EVERY, useValue: options.maintenanceEveryMs ?? 60_000 }],
      exports: options.url ? [TypeOrmModule] : [TypeOrmModule, PgliteMaintenance],
    };
  }
}
