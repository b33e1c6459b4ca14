import 'reflect-metadata';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Environment, loadEnvironmentOrExit, loggerFor } from '@app/config';
import { TrapsModule } from '@app/alerting';
import { DatabaseModule, lockDataDirOrExit, MIGRATIONS } from '@app/database';
import { PollingMetrics, PollingModule, RemotePoller } from '@app/polling';
import { ENTITIES } from '../../api/src/entities';
import { startHeartbeat } from './heartbeat';

/**
 * A stand-alone SNMP poller of POLLER_GROUP (a district network's own poller can sit inside that
 * network), against the shared database, with no HTTP server. With REDIS_URL it is a BullMQ
 * worker: any number of them share the group's devices, and a worker that dies hands its jobs on.
 * Without it, run one per group. Set POLLER_IN_PROCESS=false on the API when workers poll its group.
 * With API_URL and POLLER_TOKEN instead, it needs no database: see `remote` below.
 */
async function bootstrap(): Promise<void> {
  const env = loadEnvironmentOrExit();
  if (env.API_URL) return remote(env);
  lockDataDirOrExit(env);
  const polling = PollingModule.forRoot({ secretKey: env.SECRET_KEY, dataDir: env.DATA_DIR, inProcess: true, group: env.POLLER_GROUP, sockets: env.SNMP_SOCKETS, maxInFlight: env.SNMP_MAX_IN_FLIGHT, redisUrl: env.REDIS_URL });
  @Module({
    imports: [
      DatabaseModule.forRoot({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2, entities: ENTITIES, migrations: MIGRATIONS, migrate: false, maintenanceEveryMs: env.PGLITE_MAINTENANCE_SECONDS * 1000 }),
      polling,
      // With TRAP_PORT, traps from the group's devices come here, beside the poller that polls them.
      ...(env.TRAP_PORT ? [TrapsModule.forPoller({ polling, port: env.TRAP_PORT, host: env.TRAP_HOST, group: env.POLLER_GROUP })] : []),
    ],
  })
  class PollerModule {}

  const app = await NestFactory.createApplicationContext(PollerModule, { logger: loggerFor(env) }).catch((err: Error) => {
    process.stderr.write(`The poller cannot start: ${err.message}\n`);
    process.exit(1);
  });
  app.enableShutdownHooks();
  startHeartbeat(app.get(PollingMetrics));
  new Logger('Poller').log(`polling group "${env.POLLER_GROUP}"${env.REDIS_URL ? ' through BullMQ' : ''}; SIGTERM stops it after writing what it polled`);
}
/** With API_URL: no database; targets and results go through the API with a poller token. */
async function remote(env: Environment): Promise<void> {
  const log = new Logger('Poller');
  if (!env.POLLER_TOKEN) {
    process.stderr.write('API_URL needs POLLER_TOKEN: a poller token (npm run cli -- token-create --role poller …)\n');
    process.exit(78);
  }
  const metrics = new PollingMetrics();
  const poller = new RemotePoller(metrics, { apiUrl: env.API_URL!, token: env.POLLER_TOKEN, group: env.POLLER_GROUP, sockets: env.SNMP_SOCKETS, maxInFlight: env.SNMP_MAX_IN_FLIGHT, log });
  await poller.start().catch((err: Error) => {
    process.stderr.write(`The poller cannot start: ${err.message}\n`);
    process.exit(1);
  });
  startHeartbeat(metrics);
  log.log(`polling ${poller.scheduled} devices of group "${env.POLLER_GROUP}" for ${env.API_URL}; SIGTERM stops it after sending what it polled`);
  const stop = () => void poller.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void bootstrap();
