import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgliteMaintenance } from '@app/database';
import { AdministrativeUnitsService, EVERYWHERE } from '@app/inventory';
import { startApp, type TestApp } from './support/app';

/**
 * PGlite has no autovacuum: the stand-in analyses and vacuums the tables past PostgreSQL's default
 * thresholds. Without it, the traffic points' join to the interfaces (the statement the poller runs
 * for every closed 5-minute slot) sorted the whole interface table for every batch.
 */
describe('PGlite maintenance (autovacuum stand-in)', () => {
  let t: TestApp;
  const reltuples = async (table: string) => Number((await t.ds.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, [table]))[0].n);
  const dead = async (table: string) => Number((await t.ds.query(`SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = $1`, [table]))[0].n);
  /** Table counters reach pg_stat_user_tables about once a second, after a statement. */
  const flushStats = async () => {
    await new Promise((r) => setTimeout(r, 1100));
    await t.ds.query('SELECT 1');
  };
  /** The rows the planner expects to read from device_interface when the poller joins a batch of 2,000 points to it. */
  const plannedRows = async () => {
    const plan = ((await t.ds.query(
      `EXPLAIN SELECT i.id FROM unnest($1::uuid[], $2::int[]) AS x(device_id, if_index)
         JOIN device_interface i ON i.device_id = x.device_id AND i.if_index = x.if_index AND i.gone_at IS NULL`,
      // A batch's worth of points (an empty array would be planned as one row).
      [Array.from({ length: 2000 }, () => '00000000-0000-4000-8000-000000000000'), Array.from({ length: 2000 }, (_, i) => i)],
    )) as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
    return Number(/on device_interface i\s+\(cost=[\d.]+ rows=(\d+)/.exec(plan.replace(/\.\.[\d.]+/g, ''))?.[1]);
  };

  beforeAll(async () => {
    // The minute's timer is off: the test runs the maintenance itself.
    t = await startApp('pglite', { PGLITE_MAINTENANCE_SECONDS: '0' });
    await t.app.get(AdministrativeUnitsService).importOfficialList(JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8')), { actor: 'test', source: 'cli', scope: EVERYWHERE });
    await t.ds.query(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id) SELECT 'MT', 'Maintenance', 'provincial_department', 'general', id FROM administrative_unit WHERE code = '52'`);
    await t.ds.query(`INSERT INTO device (agency_id, kind, status, commissioned_on, name, serial_number)
      SELECT a.id, 'router', 'active', '2024-01-01', 'mt-' || g, 'MT-' || g FROM agency a, generate_series(1, 5000) g WHERE a.code = 'MT'`);
    await t.ds.query(`INSERT INTO device_interface (id, device_id, if_index, name, monitored, first_seen_at, last_seen_at)
      SELECT gen_random_uuid(), d.id, k, 'port' || k, true, now(), now() FROM device d, generate_series(1, 4) k`);
  }, 60_000);
  afterAll(() => t?.close());

  it('analyses a table once its changes pass the threshold, so the planner knows its size', async () => {
    await flushStats();
    // Never analysed: the planner takes 20,000 rows for a handful (400,000 for under 2,000 in
    // bench:poller, where it then sorted them all for every batch of points).
    expect(await reltuples('device_interface')).toBe(-1);
    expect(await plannedRows()).toBeLessThan(100);

    const steps = await t.app.get(PgliteMaintenance).runOnce();
    expect(steps.find((s) => s.table === 'device_interface')).toMatchObject({ action: 'vacuum' });
    expect(steps.find((s) => s.table === 'device')).toMatchObject({ action: 'vacuum' });
    expect(await reltuples('device_interface')).toBe(20_000);
    expect(await reltuples('device')).toBe(5_000);
    expect(await plannedRows()).toBe(20_000);
  });

  it('leaves alone a table whose changes stay under the thresholds, and vacuums one with many dead rows', async () => {
    // 100 of 20,000 rows changed: under analyse's 50 + 10% and vacuum's 50 + 20%.
    await t.ds.query(`UPDATE device_interface SET alias = 'uplink' WHERE id IN (SELECT id FROM device_interface ORDER BY id LIMIT 100)`);
    // 3,000 of 5,000 devices' rows replaced: past both.
    await t.ds.query(`UPDATE device SET notes = 'checked' WHERE id IN (SELECT id FROM device ORDER BY id LIMIT 3000)`);
    await flushStats();
    expect(await dead('device')).toBe(3_000);

    const steps = await t.app.get(PgliteMaintenance).runOnce();
    expect(steps.map((s) => s.table)).not.toContain('device_interface');
    expect(steps.find((s) => s.table === 'device')).toMatchObject({ action: 'vacuum' });
    await flushStats();
    expect(await dead('device')).toBe(0);
    expect(await dead('device_interface')).toBe(100);
  });
});

describe('PGlite maintenance on PostgreSQL', () => {
  it('is not there: PostgreSQL has its own autovacuum', async () => {
    const t = await startApp('postgres');
    try {
      expect(() => t.app.get(PgliteMaintenance)).toThrow();
    } finally {
      await t.close();
    }
  });
});
