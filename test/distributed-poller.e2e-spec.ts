import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { DevicesService } from '@app/inventory';
import { DistributedPoller, PollingMetrics, PollingStore, SecretBox, SharedPollMemory } from '@app/polling';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Distributed mode needs PostgreSQL (several processes, several machines share the database) and
 * Redis; it runs on PostgreSQL only. Two workers share one group's devices through BullMQ.
 */
describe('distributed poller (BullMQ) on postgres', () => {
  const group = `t${randomUUID().slice(0, 8)}`;
  const prefix = `hatang-test-${group}`;
  let t: TestApp;
  let agents: SimulatedDevice[];
  const devices: string[] = [];
  const polled: Array<{ worker: string; deviceId: string; slot: number; at: number }> = [];
  const hung: Array<{ deviceId: string; slot: number }> = [];
  let a: DistributedPoller;
  let b: DistributedPoller;
  let hangA = false;

  beforeAll(async () => {
    agents = await Promise.all([0, 1].map((i) => SimulatedDevice.start({ communities: ['public'], sysName: `agent-${i}` })));
    t = await startApp('postgres', { POLLER_IN_PROCESS: 'false' });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'D1', name: 'UBND', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    for (let i = 0; i < 8; i++) {
      const d = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1', serialNumber: `D-${i}` }).expect(201)).body;
      await t.http().put(`/api/v1/devices/${d.id}/snmp`).send({ version: '2c', community: 'public', port: agents[i % 2].port, intervalSeconds: 2, timeoutMs: 300, retries: 0, pollerGroup: group }).expect(200);
      devices.push(d.id);
    }
    const worker = (name: string) =>
      new DistributedPoller(new PollingStore(t.ds, t.app.get(SecretBox), t.app.get(DevicesService)), new PollingMetrics(), {
        redisUrl: REDIS_URL,
        group,
        prefix,
        sockets: 1,
        maxInFlight: 4,
        // One bucket job at a time: a worker free for four would take every one of this small fleet's jobs.
        jobsAtOnce: 1,
        lockDurationMs: 1000,
        flushEveryMs: 200,
        onTaken: async (deviceId, slot) => {
          if (name === 'a' && hangA) {
            hung.push({ deviceId, slot });
            await new Promise(() => undefined); // stalls for ever, holding the job
          }
        },
        onPolled: (deviceId, slot) => polled.push({ worker: name, deviceId, slot, at: Date.now() }),
      });
    a = worker('a');
    b = worker('b');
  });
  afterAll(async () => {
    await b?.stop().catch(() => undefined);
    const q = new Queue(`poll-${group}`, { connection: { url: REDIS_URL }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
    await t?.close();
    await Promise.all((agents ?? []).map((d) => d.stop()));
  });

  it('shares the devices, polls each once per interval, and loses no poll when a worker dies', async () => {
    await Promise.all([a.start(), b.start()]);
    await sleep(6500);
    // Which free worker takes a job is Redis's choice: on a loaded machine one may take every job
    // of the first cycles (a fresh-clone run saw it). Give the other up to 10 s more to take one.
    const deadline = Date.now() + 10_000;
    while (new Set(polled.map((p) => p.worker)).size < 2 && Date.now() < deadline) await sleep(200);
    const duplicates = (list: typeof polled) => list.length - new Set(list.map((p) => `${p.deviceId}@${p.slot}`)).size;
    expect(duplicates(polled)).toBe(0);
    for (const id of devices) expect(polled.filter((p) => p.deviceId === id).length).toBeGreaterThanOrEqual(2);
    expect(new Set(polled.map((p) => p.worker))).toEqual(new Set(['a', 'b']));

    // Worker a hangs on the next job it takes, and dies holding it. Only the jobs that entered the
    // hang count as held: a job a took just before (its poll still in flight) is polled by a, as
    // it should be (a CI run counted such a job as held).
    hangA = true;
    // A job a bucket of devices, two buckets a 2 s interval: b may take several in a row; give a 20 s.
    for (let i = 0; i < 400 && hung.length === 0; i++) await sleep(50);
    const held = [...hung];
    expect(held.length).toBeGreaterThan(0);
    await a.crash();
    // Its locks expire after 1 s; the stalled check hands the jobs to b, which polls them, in their slot.
    await sleep(4000);
    for (const h of held) {
      expect(polled.filter((p) => p.deviceId === h.deviceId && p.slot === h.slot)).toEqual([expect.objectContaining({ worker: 'b' })]);
    }
    expect(duplicates(polled)).toBe(0);
    // Every device kept being polled after the crash, by b.
    const afterCrash = polled.filter((p) => p.at > Date.now() - 3000);
    for (const id of devices) expect(afterCrash.some((p) => p.deviceId === id && p.worker === 'b')).toBe(true);

    // The ledger and the latest poll came through the database: every device is up, watched once.
    await b.flush();
    const states = await t.ds.query(`SELECT state, count(*)::int AS n FROM device_poll_state WHERE device_id = ANY($1) GROUP BY state`, [devices]);
    expect(states).toEqual([{ state: 'up', n: 8 }]);
    const spans = await t.ds.query(`SELECT count(*)::int AS n FROM device_monitoring WHERE device_id = ANY($1)`, [devices]);
    expect(spans[0].n).toBe(8);

    // The API reads when each device was last polled from the workers' memory in Redis: the row
    // was written at the first poll only (nothing changed since), the memory at every poll.
    const shared = new SharedPollMemory(REDIS_URL, prefix);
    try {
      const [row] = await t.ds.query(`SELECT polled_at FROM device_poll_state WHERE device_id = $1`, [devices[0]]);
      const last = (await shared.polledAt(group, devices[0]))!;
      expect(Date.now() - last).toBeLessThan(4000);
      expect(last - new Date(row.polled_at).getTime()).toBeGreaterThan(4000);
    } finally {
      await shared.close();
    }

    // Done jobs do not pile up in Redis (BullMQ keeps them unless told not to).
    const q = new Queue(`poll-${group}`, { connection: { url: REDIS_URL }, prefix });
    const counts = await q.getJobCounts('completed', 'failed');
    await q.close();
    expect(polled.length).toBeGreaterThan(20);
    expect(counts).toEqual({ completed: 0, failed: 0 });
  });
});
