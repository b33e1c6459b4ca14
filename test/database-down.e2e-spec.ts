import { Client } from 'pg';
import { startApp, type TestApp } from './support/app';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * PostgreSQL stops taking connections under a running API (a restart, a failover): every route
 * answers 503 problem+json with Retry-After, not 500, and answers again once it is back. (Embedded
 * PGlite lives in the process: it cannot become unreachable.)
 */
describe('the database unreachable, on postgres', () => {
  let t: TestApp;
  let name: string;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    t = await startApp('postgres');
    name = new URL((t.ds.options as { url: string }).url).pathname.slice(1);
  });
  afterAll(async () => {
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await t.close();
  });

  it('answers 503 with Retry-After on every route while it is down, and 200 once it is back', async () => {
    await t.http().get('/api/v1/devices').expect(200);
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    for (const req of [
      () => t.http().get('/api/v1/devices'),
      () => t.http().get('/api/v1/agencies?q=abc'),
      () => t.http().post('/api/v1/devices').send({ kind: 'router', agencyId: '00000000-0000-4000-8000-000000000000', commissionedOn: '2015-01-01' }),
      () => t.http().get('/api/v1/plans'),
    ]) {
      const res = await req();
      expect([res.status, res.headers['content-type'], res.headers['retry-after']]).toEqual([503, expect.stringContaining('application/problem+json'), '5']);
      expect(res.body.detail).toContain('database cannot be reached');
    }
    await t.as().get('/health').expect(503);
    await admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    await t.http().get('/api/v1/devices').expect(200);
  });
});
