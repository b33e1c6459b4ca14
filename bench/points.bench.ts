/**
 * bench:points — writing a 5-minute slot's traffic points for a large fleet, through the poller's
 * own write path (PollingStore.flush, 500 devices = 2,000 points a batch), on embedded PGlite (or
 * ENGINE=postgres: then only this process's CPU is counted, not the server's).
 *
 * In the same run, three ways, each its CPU per point:
 *   - as it runs: tables analysed by the PGlite maintenance (PostgreSQL's autovacuum stand-in),
 *     points without a foreign key to their interface;
 *   - with the foreign key put back (the schema before TrafficWithoutForeignKeys1765900000000);
 *   - tables never analysed (PGlite without the maintenance): a sample of SAMPLE points only, as
 *     a whole slot takes minutes.
 *
 * Environment (bounded): DEVICES (100000, at most 200000), INTERFACES per device (4, at most 16),
 * SAMPLE (40000), ENGINE (pglite | postgres).
 */
import { PgliteMaintenance } from '@app/database';
import { emptyMemory, PollingStore, type PollRecord } from '@app/polling';
import { fmt, seedFleet } from './fleet';
import { benchApp, timed } from './support';

const DEVICES = Math.min(Number(process.env.DEVICES ?? 100_000), 200_000);
const INTERFACES = Math.min(Number(process.env.INTERFACES ?? 4), 16);
const SAMPLE = Math.min(Number(process.env.SAMPLE ?? 40_000), DEVICES * INTERFACES);
const ENGINE = process.env.ENGINE ?? 'pglite';
const SLOT = 300_000;
const BATCH_DEVICES = 500;

async function main(): Promise<void> {
  console.log(`bench:points — ${fmt(DEVICES)} devices × ${INTERFACES} interfaces, engine ${ENGINE}`);
  // The maintenance's timer is off: the bench runs it when it wants the tables analysed.
  const { app, ds, close } = await benchApp(ENGINE, { POLLER_IN_PROCESS: 'false', PGLITE_MAINTENANCE_SECONDS: '0' });
  try {
    await seedFleet(app, ds, DEVICES, 60);
    await ds.query(
      `INSERT INTO device_interface (id, device_id, if_index, name, type, speed_mbps, admin_status, oper_status, monitored, first_seen_at, last_seen_at)
       SELECT gen_random_uuid(), d.id, k, 'port' || k, 'ethernetCsmacd', 1000, 'up', 'up', true, now(), now() FROM device d, generate_series(1, $1) k`,
      [INTERFACES],
    );
    const devices: string[] = (await ds.query(`SELECT id FROM device ORDER BY id`)).map((r: { id: string }) => r.id);
    const store = app.get(PollingStore);
    let slot = Date.now() - (Date.now() % SLOT) - 100 * SLOT;

    /** One slot's points for the first `count` points' devices, written as the poller writes them; CPU µs per point and wall seconds. */
    const writeSlot = async (count: number): Promise<{ micros: number; seconds: number; written: number }> => {
      slot += SLOT;
      const cpu = process.cpuUsage();
      let written = 0;
      const [, seconds] = await timed(async () => {
        const needed = Math.ceil(count / INTERFACES);
        for (let i = 0; i < needed; i += BATCH_DEVICES) {
          const records: PollRecord[] = devices.slice(i, Math.min(i + BATCH_DEVICES, needed)).map((deviceId) => ({
            deviceId,
            memory: emptyMemory(),
            events: [],
            changed: false,
            polledAt: slot + SLOT + 1000,
            points: Array.from({ length: INTERFACES }, (_, k) => ({ ifIndex: k + 1, at: slot, inBps: Math.random() * 1e8, outBps: Math.random() * 1e7, inErrorsPerSecond: 0, outErrorsPerSecond: 0, seconds: 300 })),
          }));
          written += await store.flush(records);
        }
      });
      const used = process.cpuUsage(cpu);
      return { micros: (used.user + used.system) / written, seconds, written };
    };

    const rows: Array<[string, { micros: number; seconds: number; written: number }]> = [];
    if (ENGINE === 'pglite') {
      const [{ n }] = await ds.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = 'device_interface'`);
      console.log(`device_interface as the planner knows it before any maintenance: ${n} rows (${fmt(DEVICES * INTERFACES)} there)`);
      rows.push(['never analysed (a sample)', await writeSlot(SAMPLE)]);
      const [steps, seconds] = await timed(() => app.get(PgliteMaintenance).runOnce());
      console.log(`maintenance: ${steps.map((s) => `${s.action} ${s.table} ${fmt(s.ms)} ms`).join(', ')} (${fmt(seconds, 1)} s)`);
    } else {
      await ds.query('VACUUM ANALYZE');
    }
    // Warm-up slot (first writes extend the table), then the measured ones.
    await writeSlot(DEVICES * INTERFACES);
    rows.push(['analysed, no foreign key (as it runs)', await writeSlot(DEVICES * INTERFACES)]);
    await ds.query(`ALTER TABLE traffic_5m ADD CONSTRAINT bench_points_fk FOREIGN KEY (interface_id) REFERENCES device_interface(id) ON DELETE CASCADE`);
    rows.push(['analysed, with the foreign key (the schema before)', await writeSlot(DEVICES * INTERFACES)]);
    await ds.query(`ALTER TABLE traffic_5m DROP CONSTRAINT bench_points_fk`);

    const base = rows.find(([name]) => name.startsWith('analysed, no'))![1].micros;
    console.log('\n| writing a slot of points | points | CPU per point | wall | ratio to as it runs |');
    console.log('|---|---|---|---|---|');
    for (const [name, r] of rows) console.log(`| ${name} | ${fmt(r.written)} | ${fmt(r.micros, 1)} µs | ${fmt(r.seconds, 1)} s | ${fmt(r.micros / base, 2)} |`);
  } finally {
    await close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
