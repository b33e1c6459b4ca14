import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AccessModule } from '@app/access';
import { AlertingModule } from '@app/alerting';
import type { Environment } from '@app/config';
import { DatabaseModule, MIGRATIONS } from '@app/database';
import { InventoryModule } from '@app/inventory';
import { CoverageModule } from '@app/coverage';
import { PollingModule } from '@app/polling';
import { ENTITIES } from './entities';
import { HealthController } from './http/health.controller';
import { Metrics, MetricsController } from './http/metrics';
import { ProblemFilter } from './http/problem.filter';

@Module({})
export class AppModule {
  static forRoot(env: Environment): DynamicModule {
    const polling = PollingModule.forRoot({
      secretKey: env.SECRET_KEY,
      dataDir: env.DATA_DIR,
      inProcess: env.POLLER_IN_PROCESS,
      group: env.POLLER_GROUP,
      sockets: env.SNMP_SOCKETS,
      maxInFlight: env.SNMP_MAX_IN_FLIGHT,
      redisUrl: env.REDIS_URL,
    });
    return {
      module: AppModule,
      imports: [
        DatabaseModule.forRoot({
          url: env.DATABASE_URL,
          dataDir: env.DATA_DIR,
          poolSize: env.DATABASE_POOL_SIZE,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrate: env.MIGRATE_ON_START,
          maintenanceEveryMs: env.PGLITE_MAINTENANCE_SECONDS * 1000,
        }),
        TerminusModule,
        InventoryModule,
        AccessModule.forRoot({ authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE, redisUrl: env.REDIS_URL }),
        CoverageModule,
        polling,
        AlertingModule.forRoot({
          polling,
          evaluate: env.ALERTS_ENABLED,
          evaluateEveryMs: env.ALERTS_EVALUATE_SECONDS * 1000,
          deliver: env.ALERTS_ENABLED && env.ALERTS_DELIVER,
          retryBaseMs: env.ALERTS_RETRY_SECONDS * 1000,
          smtpUrl: env.SMTP_URL,
          smtpFrom: env.SMTP_FROM,
          publicUrl: env.PUBLIC_URL,
          trapPort: env.TRAP_PORT,
          trapHost: env.TRAP_HOST,
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        Metrics,
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
