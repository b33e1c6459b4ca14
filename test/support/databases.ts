import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The engines every data-layer and API test runs on. */
export const ENGINES = ['pglite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fresh PostgreSQL database for one test file, dropped by `drop()`; with `template` (the URL of
 * another such database, nothing connected to it), a copy of that one.
 */
export async function freshPostgres(template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hatang_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const from = template ? new URL(template).pathname.slice(1) : undefined;
  if (from !== undefined && !/^hatang_t_[0-9a-f]{12}$/.test(from)) throw new Error(`not a test database: ${from}`);
  await admin.query(`CREATE DATABASE ${name}${from ? ` TEMPLATE ${from}` : ''}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
