import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions, type DatabaseSettings } from './data-source-options';

export interface DatabaseModuleOptions extends DatabaseSettings {
  /** Apply pending migrations when the data source opens. */
  migrate: boolean;
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
      exports: [TypeOrmModule],
    };
  }
}
