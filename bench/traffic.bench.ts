/**
 * Traffic storage at a province's scale: a year of daily points and 14 days of 5-minute points for
 * INTERFACES interfaces (default 50,000), laid out as the poller writes them (time order, every
 * interface at each slot). Prints the tables' sizes, then times what the console and the API read:
 * one interface's year (daily points) and its month's 95th percentile (5-minute points), through
 * TrafficService, against the same SQL sent bare (the baseline, in the same run).
 *
 *   npm run bench:traffic                      # PostgreSQL (DATABASE_URL or a fresh database on 127.0.0.1)
 *   INTERFACES=2000 ENGINE=pglite npm run bench:traffic
 *
 * Bars (issue 18): a year under 50 ms, a month's 95th percentile under 100 ms.
 */
import { performance } from 'node:perf_hooks';
import { TrafficService } from '@app/polling';
import { fmt } from './fleet';
import { benchApp, timed } from './support';

const INTERFACES = Number(process.env.INTERFACES ?? 50_000);
const ENGINE = process.env.ENGINE ?? 'postgres';
const DAYS_5M = Number(process.env.DAYS_5M ?? 14);
const DAYS_1D = Number(process.env.DAYS_1D ?? 365);
const SAMPLES = Number(process.env.SAMPLES ?? 40);
const PER_DEVICE = 10;
const DAY = 86_400_000;
const SLOT = 300_000;

async function main(): Promise<void> {
  const { app, ds, close } = await benchApp(ENGINE);
  try {
    console.log(`bench:traffic on ${ENGINE}: ${fmt(INTERFACES)} interfaces, ${DAYS_1D} days of daily points, ${DAYS_5M} days of 5-minute points`);
    const devices = Math.ceil(INTERFACES / PER_DEVICE);
    const [, seedSeconds] = await timed(async () => {
      await ds.query(`INSERT INTO administrative_unit (code, name, level, type, path) VALUES ('99', 'Bench province', 'province', 'Tỉnh', '/bench/')`);
      await ds.query(`UPDATE administrative_unit SET path = '/' || id || '/' WHERE code = '99'`);
      await ds.query(`INSERT INTO agency (code, name, kind, administrative_unit_id) SELECT 'BENCH', 'Bench agency', 'provincial_department', id FROM administrative_unit WHERE code = '99'`);
      await ds.query(`INSERT INTO device (agency_id, kind, name) SELECT a.id, 'switch', 'sw-' || g FROM agency a, generate_series(1, $1) g WHERE a.code = 'BENCH'`, [devices]);
      await ds.query(
        `INSERT INTO device_interface (id, device_id, if_index, name, speed_mbps, first_seen_at, last_seen_at)
         SELECT gen_random_uuid(), d.id, k, 'Gi0/' || k, 1000, now(), now() FROM (SELECT id FROM device ORDER BY id) d, generate_series(1, ${PER_DEVICE}) k LIMIT $1`,
        [INTERFACES],
      );
    });
    console.log(`  ${fmt(devices)} devices and ${fmt(INTERFACES)} interfaces: ${fmt(seedSeconds, 1)} s`);

    // Generated in time order, as the poller writes (every interface at each slot); the primary
    // keys and BRIN indexes are built after the load (the same indexes the poller writes through).
    const end = Date.now() - (Date.now() % SLOT);
    const load = async (table: 'traffic_5m' | 'traffic_1d', from: number, step: string, extra: string) => {
      await ds.query(`ALTER TABLE ${table} DROP CONSTRAINT "PK_${table}"`);
      if (table === 'traffic_5m') await ds.query(`DROP INDEX ix_traffic_5m_at`);
      const [, insertSeconds] = await timed(() =>
        ds.query(
          `INSERT INTO ${table} SELECT i.id, s, (20 + 15 * sin(extract(epoch FROM s) / 13751) + random() * 5) * 1e6, (5 + random() * 2) * 1e6, random() * 0.1, 0, ${table === 'traffic_5m' ? 300 : 86_400}${extra}
             FROM generate_series($1::timestamptz, $2::timestamptz, '${step}'::interval) s CROSS JOIN (SELECT id FROM device_interface ORDER BY id) i`,
          [new Date(from), new Date(end - (table === 'traffic_5m' ? SLOT : DAY))],
        ),
      );
      const [, indexSeconds] = await timed(() =>
        ds.transaction(async (m) => {
          // A bulk build's sort in memory where it fits (PostgreSQL; PGlite keeps its default).
          if (ENGINE === 'postgres') await m.query(`SET LOCAL maintenance_work_mem = '2GB'`);
          await m.query(`ALTER TABLE ${table} ADD CONSTRAINT "PK_${table}" PRIMARY KEY (interface_id, at)`);
          if (table === 'traffic_5m') await m.query(`CREATE INDEX ix_traffic_5m_at ON traffic_5m USING brin (at)`);
        }),
      );
      return { insertSeconds, indexSeconds };
    };
    const daily = await load('traffic_1d', end - DAYS_1D * DAY, '1 day', ', 60e6, 9e6');
    const fine = await load('traffic_5m', end - DAYS_5M * DAY, '5 minutes', '');
    if (ENGINE === 'postgres') await ds.query('VACUUM ANALYZE traffic_5m, traffic_1d');
    else await ds.query('ANALYZE');
    console.log(`  loaded: daily ${fmt(daily.insertSeconds, 1)} s + keys ${fmt(daily.indexSeconds, 1)} s; 5-minute ${fmt(fine.insertSeconds, 1)} s + keys ${fmt(fine.indexSeconds, 1)} s`);

    console.log('\n  table        rows            heap        indexes     total       bytes/point');
    for (const table of ['traffic_5m', 'traffic_1d']) {
      const [r] = await ds.query(
        `SELECT (SELECT count(*) FROM ${table})::bigint AS rows, pg_relation_size('${table}') AS heap, pg_indexes_size('${table}') AS idx, pg_total_relation_size('${table}') AS total`,
      );
      const gb = (b: string) => `${fmt(Number(b) / 2 ** 30, 2)} GiB`;
      console.log(`  ${table.padEnd(12)} ${fmt(Number(r.rows)).padStart(13)}   ${gb(r.heap).padStart(10)}  ${gb(r.idx).padStart(10)}  ${gb(r.total).padStart(10)}  ${fmt(Number(r.total) / Number(r.rows), 0).padStart(6)}`);
    }

    // Interfaces picked at random; each read first through the service (its first read), then again through it, then bare (both warm: the ratio).
    const ids: string[] = (await ds.query(`SELECT id FROM device_interface ORDER BY random() LIMIT $1`, [SAMPLES])).map((r: { id: string }) => r.id);
    const traffic = app.get(TrafficService);
    const local = new Date(Date.now() + 7 * 3_600_000);
    const month = `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
    // A Vietnamese month's bounds as instants (as TrafficService takes them).
    const monthFrom = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - 7 * 3_600_000);
    const monthTo = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - 7 * 3_600_000);
    const yearFrom = new Date(end - 365 * DAY);
    const yearTo = new Date(end);
    const ms = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const runs = { year: [] as number[], yearBare: [] as number[], p95: [] as number[], p95Bare: [] as number[], yearWarm: [] as number[], p95Warm: [] as number[] };
    let yearPoints = 0;
    for (const id of ids) {
      runs.year.push(await ms(async () => (yearPoints = (await traffic.series(id, yearFrom, yearTo, '1d')).points.length)));
      runs.p95.push(await ms(() => traffic.monthlyPercentiles(id, [month])));
      runs.yearWarm.push(await ms(() => traffic.series(id, yearFrom, yearTo, '1d')));
      runs.p95Warm.push(await ms(() => traffic.monthlyPercentiles(id, [month])));
      runs.yearBare.push(await ms(() => ds.query(`SELECT at, in_bps, out_bps, in_max_bps, out_max_bps FROM traffic_1d WHERE interface_id = $1 AND at >= $2 AND at < $3 ORDER BY at`, [id, yearFrom, yearTo])));
      runs.p95Bare.push(
        await ms(() =>
          ds.query(
            `SELECT to_char(at + interval '7 hours', 'YYYY-MM') AS month, percentile_cont(0.95) WITHIN GROUP (ORDER BY in_bps), percentile_cont(0.95) WITHIN GROUP (ORDER BY out_bps), count(*)
               FROM traffic_5m WHERE interface_id = $1 AND at >= $2 AND at < $3 GROUP BY 1`,
            [id, monthFrom, monthTo],
          ),
        ),
      );
    }
    const [{ points: monthPoints }] = await traffic.monthlyPercentiles(ids[0], [month]);
    const stat = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))], max: s[s.length - 1] };
    };
    const line = (label: string, xs: number[], base?: number[]) => {
      const s = stat(xs);
      const ratio = base ? `  ${fmt(s.median / stat(base).median, 2)}× the bare SQL` : '';
      console.log(`  ${label.padEnd(44)} median ${fmt(s.median, 1).padStart(6)} ms  p95 ${fmt(s.p95, 1).padStart(6)} ms  max ${fmt(s.max, 1).padStart(6)} ms${ratio}`);
    };
    console.log(`\n  ${SAMPLES} interfaces at random; a year = ${yearPoints} daily points; this month = ${fmt(monthPoints)} 5-minute points (${month})`);
    line("a year's daily points (first read)", runs.year);
    line("a year's daily points (again)", runs.yearWarm, runs.yearBare);
    line('   the same SQL, bare (baseline, again)', runs.yearBare);
    line("this month's 95th percentile (first read)", runs.p95);
    line("this month's 95th percentile (again)", runs.p95Warm, runs.p95Bare);
    line('   the same SQL, bare (baseline, again)', runs.p95Bare);
    const pass = (xs: number[], bar: number) => (stat(xs).p95 < bar ? 'holds' : 'MISSED');
    console.log(`\n  bars: a year < 50 ms (p95 of first reads ${fmt(stat(runs.year).p95, 1)} ms: ${pass(runs.year, 50)}); a month's 95th percentile < 100 ms (${fmt(stat(runs.p95).p95, 1)} ms: ${pass(runs.p95, 100)})`);
  } finally {
    await close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
