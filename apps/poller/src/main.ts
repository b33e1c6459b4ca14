import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnvironmentOrExit } from '@app/config';
import { DatabaseModule, MIGRATIONS } from '@app/database';
import { ENTITIES } from '../../api/src/entities';

/**
 * The SNMP poller worker. It boots, connects to the database and waits; polling arrives with
 * the SNMP poller issue. No HTTP server: a plain application context.
 */
async function bootstrap(): Promise<void> {
  const env = loadEnvironmentOrExit();
  @Module({
    imports: [
      DatabaseModule.forRoot({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2, entities: ENTITIES, migrations: MIGRATIONS, migrate: false }),
    ],
  })
  class PollerModule {}

  const app = await NestFactory.createApplicationContext(PollerModule, { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  new Logger('Poller').log('Poller worker started; no SNMP polling is implemented yet, waiting for SIGTERM');
  await new Promise<void>((resolve) => process.once('SIGTERM', resolve).once('SIGINT', resolve));
  await app.close();
}
void bootstrap();
