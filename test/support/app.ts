import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { type CreateToken, TokensService } from '@app/access';
import { loadEnvironment, loggerFor } from '@app/config';
import { EVERYWHERE, type Role } from '@app/inventory';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp, httpOptionsOf } from '../../apps/api/src/app';
import { type Engine, freshPostgres } from './databases';

export interface TestApp {
  app: INestApplication;
  /** Requests as a whole-country admin. */
  http: () => ReturnType<typeof request.agent>;
  /** Requests with this token (or none). */
  as: (token?: string) => ReturnType<typeof request.agent>;
  /** Makes a token as the CLI would; returns the secret. */
  token: (input: Partial<CreateToken> & { role: Role }) => Promise<string>;
  adminToken: string;
  ds: DataSource;
  close: () => Promise<void>;
}

/** The real API, migrated, on a throwaway database of the given engine. */
export async function startApp(engine: Engine, overrides: Record<string, string> = {}): Promise<TestApp> {
  const pg = engine === 'postgres' ? await freshPostgres() : null;
  const env = loadEnvironment({ DATABASE_URL: pg?.url, DATA_DIR: 'memory://', MIGRATE_ON_START: 'true', LOG_LEVEL: 'error', AUTH_FAILURES_PER_MINUTE: '100000', ...overrides });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  // With LOG_FORMAT given, the app logs as the server would (tests of the logs read them).
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: overrides.LOG_FORMAT ? loggerFor(env) : ['error'] });
  configureApp(app, httpOptionsOf(env));
  await app.init();
  const tokens = app.get(TokensService);
  const token = async (input: Partial<CreateToken> & { role: Role }) =>
    (await tokens.create({ owner: `test ${input.role}`, ...input }, { actor: 'test', source: 'cli', scope: EVERYWHERE })).token;
  const adminToken = await token({ role: 'admin', owner: 'Test admin' });
  const as = (secret?: string) => {
    const agent = request.agent(app.getHttpServer());
    return secret ? agent.set('Authorization', `Bearer ${secret}`) : agent;
  };
  return {
    app,
    http: () => as(adminToken),
    as,
    token,
    adminToken,
    ds: app.get<DataSource>(getDataSourceToken()),
    close: async () => {
      await app.close();
      await pg?.drop();
    },
  };
}
