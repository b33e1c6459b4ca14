import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnvironmentOrExit } from '@app/config';
import { DatabaseModule, MIGRATIONS } from '@app/database';
import { PollingModule } from '@app/polling';
import { ENTITIES } from '../../api/src/entities';

/**
 * A stand-alone SNMP poller of POLLER_GROUP (a district network's own poller can sit inside that
 * network), against the shared database, with no HTTP server. With REDIS_URL it is a BullMQ
 * worker: any number of them share the group's devices, and a worker that dies hands its jobs on.
 * Without it, run one per group. Set POLLER_IN_PROCESS=false on the API when workers poll its group.
 */
async function bootstrap(): Promise<void> {
  const env = loadEnvironmentOrExit();
  @Module({
    imports: [
      DatabaseModule.forRoot({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2, entities: ENTITIES, migrations: MIGRATIONS, migrate: false }),
      PollingModule.forRoot({ secretKey: env.SECRET_KEY, dataDir: env.DATA_DIR, inProcess: true, group: env.POLLER_GROUP, sockets: env.SNMP_SOCKETS, maxInFlight: env.SNMP_MAX_IN_FLIGHT, redisUrl: env.REDIS_URL }),
    ],
  })
  class PollerModule {}

  const app = await NestFactory.createApplicationContext(PollerModule, { logger: ['error', 'warn', 'log'] }).catch((err: Error) => {
    process.stderr.write(`The poller cannot start: ${err.message}\n`);
    process.exit(1);
  });
  app.enableShutdownHooks();
  new Logger('Poller').log(`polling group "${env.POLLER_GROUP}"${env.REDIS_URL ? ' through BullMQ' : ''}; SIGTERM stops it after writing what it polled`);
}
void bootstrap();
