import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { loadEnvironmentOrExit } from '@app/config';
import { DatabaseModule, lockDataDirOrExit, MIGRATIONS } from '@app/database';
import { InventoryModule } from '@app/inventory';
import { CoverageModule } from '@app/coverage';
import { TokensService } from '@app/access';
import { ENTITIES } from '../../api/src/entities';
import { TokenCreateCommand, TokenListCommand, TokenRevokeCommand } from './token-commands';
import { DemoReorganiseCommand, ReorganiseCommand, ReorganiseRevertCommand, SuccessionsListCommand, SuccessionsProposeCommand, SuccessionsReviewCommand } from './succession-commands';
import { CoverageExportCommand, ExportSheetCommand, ImportBoundariesCommand, ImportSheetCommand, ImportUnitsCommand, MigrateCommand, SeedDemoCommand } from './commands';

async function bootstrap(): Promise<void> {
  const env = loadEnvironmentOrExit();
  lockDataDirOrExit(env);
  const migrating = process.argv[2] === 'migrate';
  @Module({
    imports: [
      DatabaseModule.forRoot({
        url: env.DATABASE_URL,
        dataDir: env.DATA_DIR,
        poolSize: 4,
        entities: ENTITIES,
        migrations: MIGRATIONS,
        // Every command but `migrate` brings the schema up to date first.
        migrate: !migrating,
      }),
      InventoryModule,
      CoverageModule,
    ],
    providers: [CoverageExportCommand, MigrateCommand, SeedDemoCommand, ImportUnitsCommand, ImportBoundariesCommand, ImportSheetCommand, ExportSheetCommand, TokensService, TokenCreateCommand, TokenListCommand, TokenRevokeCommand, SuccessionsProposeCommand, SuccessionsListCommand, SuccessionsReviewCommand, ReorganiseCommand, ReorganiseRevertCommand, DemoReorganiseCommand],
  })
  class CliModule {}

  await CommandFactory.run(CliModule, { logger: ['error', 'warn'], errorHandler: (err) => { process.stderr.write(`${err.message}\n`); process.exit(2); } });
}
void bootstrap();
