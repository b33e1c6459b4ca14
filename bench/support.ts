import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { INestApplication } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { loadEnvironment } from '@app/config';
import { AppModule } from '../apps/api/src/app.module';
import { freshPostgres } from '../test/support/databases';

/** The value and the seconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, (performance.now() - t0) / 1000];
}

/**
 * The whole application on a throwaway database of the engine; `close` drops it. With `url` (a
 * PostgreSQL database the caller made and drops), on that one: `close` leaves it.
 */
export async function benchApp(
  engine: string,
  overrides: Record<string, string> = {},
  url?: string,
): Promise<{ app: INestApplication; ds: DataSource; close: () => Promise<void> }> {
  const pg = engine === 'postgres' && !url ? await freshPostgres() : null;
  const env = loadEnvironment({ DATABASE_URL: url ?? pg?.url, DATA_DIR: 'memory://', LOG_LEVEL: 'error', ...overrides });
  const mod = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = mod.createNestApplication({ logger: ['error'] });
  await app.init();
  return {
    app,
    ds: app.get<DataSource>(getDataSourceToken()),
    close: async () => {
      await app.close();
      await pg?.drop();
    },
  };
}
