import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { loadEnvironment } from '@app/config';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/app';
import { type Engine, freshPostgres } from './databases';

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  ds: DataSource;
  close: () => Promise<void>;
}

/** The real API, migrated, on a throwaway database of the given engine. */
export async function startApp(engine: Engine, overrides: Record<string, string> = {}): Promise<TestApp> {
  const pg = engine === 'postgres' ? await freshPostgres() : null;
  const env = loadEnvironment({ DATABASE_URL: pg?.url, DATA_DIR: 'memory://', MIGRATE_ON_START: 'true', LOG_LEVEL: 'error', ...overrides });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureApp(app);
  await app.init();
  return {
    app,
    http: () => request(app.getHttpServer()),
    ds: app.get<DataSource>(getDataSourceToken()),
    close: async () => {
      await app.close();
      await pg?.drop();
    },
  };
}
