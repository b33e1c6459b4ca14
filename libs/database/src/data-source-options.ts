import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { resolve } from 'node:path';
import { QueryLogger } from './query-logger';
import { types as pgTypes } from 'pg';
import type { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { lockDataDir } from './data-dir-lock';
import { PglitePool } from './pglite-pool';
import { SnakeNamingStrategy } from './snake-naming.strategy';

const DATE_OID = 1082;
const INT8_OID = 20;

export interface DatabaseSettings {
  /** postgres:// URL; absent means embedded PGlite. */
  url?: string;
  /** PGlite data directory; `memory://` for a throwaway database. */
  dataDir?: string;
  poolSize?: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logging?: boolean;
}

/**
 * Dates stay 'YYYY-MM-DD' strings (a Date would shift with the time zone) and bigint counts come
 * back as numbers, the same on PostgreSQL and on PGlite.
 */
const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (v: string) => v;
    if (oid === INT8_OID) return (v: string) => (Number.isSafeInteger(Number(v)) ? Number(v) : v);
    return pgTypes.getTypeParser(oid, format as 'text');
  },
};

export function engineOf(settings: Pick<DatabaseSettings, 'url'>): 'postgres' | 'pglite' {
  return settings.url ? 'postgres' : 'pglite';
}

/** Opens (or creates) an embedded database; a data directory is locked to this process first. */
export async function createPglite(dataDir: string): Promise<PGlite> {
  // Creates the directory too.
  if (!dataDir.startsWith('memory://')) lockDataDir(dataDir);
  return PGlite.create({
    dataDir: dataDir.startsWith('memory://') ? undefined : resolve(dataDir),
    extensions: { unaccent, pg_trgm },
    parsers: { [DATE_OID]: (v: string) => v },
  });
}

export async function buildDataSourceOptions(settings: DatabaseSettings): Promise<DataSourceOptions> {
  const common = {
    type: 'postgres' as const,
    entities: settings.entities,
    migrations: settings.migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    // gen_random_uuid() is built in since PostgreSQL 13: no extension to install.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
    logging: settings.logging ? ('all' as const) : (['error', 'warn'] as Array<'error' | 'warn'>),
    logger: new QueryLogger(settings.logging),
  };
  if (settings.url) {
    return {
      ...common,
      url: settings.url,
      poolSize: settings.poolSize ?? 10,
      // PostgreSQL's JIT compiles a query whose estimate passes jit_above_cost (100,000), and
      // coverage's queries cross it as the inventory grows: the national overview took 160 ms, of
      // which 66–72 ms compiling, for 90 ms of work (bench:reorganisation). None of our queries
      // runs long enough to repay it; a URL that sets its own `options` keeps them.
      extra: { types: pgTypeParsers, ...(/[?&]options=/.test(settings.url) ? {} : { options: '-c jit=off' }) },
    };
  }
  const pglite = await createPglite(settings.dataDir ?? './data');
  return {
    ...common,
    database: 'postgres',
    driver: { Pool: PglitePool },
    extra: { pglite, dataDir: settings.dataDir ?? './data' },
  };
}
