import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PollingMetrics, PollingStore } from '@app/polling';
import { PendingWrites } from '../libs/polling/src/poll-once';
import { emptyMemory } from '../libs/polling/src/poll-state';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { type RunningSnmpd, SNMPD, startSnmpd } from './support/snmpd';
import { until } from './support/wait';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

/** What the poller records stays true when agents send values the database cannot hold. */
describe.each(ENGINES)('poller truth on %s', (engine) => {
  let t: TestApp;
  let good: SimulatedDevice;
  let bad: SimulatedDevice;
  let frozen: SimulatedDevice;
  let snmpd: RunningSnmpd;
  let agencyId: string;

  beforeAll(async () => {
    good = await SimulatedDevice.start({ communities: ['public'], sysName: 'good-router' });
    bad = await SimulatedDevice.start({ communities: ['public'], sysName: 'bad\u0000name', sysDescr: `${'x'.repeat(5000)}\u0000` });
    // A recording's clock: sysUpTime answers the same 697202257 at every poll.
    const stopped = Date.now();
    frozen = await SimulatedDevice.start({ communities: ['public'], sysName: 'frozen-clock', initialUptimeTicks: 697_202_257, clock: () => stopped });
    snmpd = await startSnmpd();
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await good?.stop();
    await bad?.stop();
    await frozen?.stop();
    await snmpd?.stop();
  });

  const device = async (name: string, port: number) => {
    const d = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name, status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${d.id}/snmp`).send({ version: '2c', community: 'public', port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
    return d as { id: string };
  };
  const state = async (id: string) => (await t.http().get(`/api/v1/devices/${id}/poll-state`)).body;

  it('stores a sysName with a NUL and a 5,000-character sysDescr, and keeps recording every other device', async () => {
    const g = await device('good', good.port);
    await until('the good device up', async () => (await state(g.id)).state === 'up');
    good.goDown();
    await until('the good device down', async () => (await state(g.id)).state === 'down');

    const b = await device('bad', bad.port);
    const polled = await until('the bad device polled', async () => {
      const s = await state(b.id);
      return s.state === 'up' && s;
    });
    expect(polled.sysName).toBe('bad\uFFFDname');
    expect(polled.sysDescr).toHaveLength(2000);

    // The good device comes back: its outage closes, its state is up, although the bad one polls beside it.
    good.comeBack();
    await until('the good device up again', async () => (await state(g.id)).state === 'up');
    // The ledger is written within a second of the poll (the poller flushes once a second).
    const list = await until('the outage closed in the ledger', async () => {
      const items: Array<{ cause: string; endedAt: string | null }> = (await t.http().get(`/api/v1/devices/${g.id}/outages`).query({ from: new Date(Date.now() - 3_600_000).toISOString() }).expect(200)).body.items;
      return items.length > 0 && items.every((o) => o.endedAt !== null) && items;
    });
    expect(list.map((o) => o.cause)).toEqual(['unreachable']);

    const [stored] = await t.ds.query(`SELECT sys_name FROM device_poll_state WHERE device_id = $1`, [b.id]);
    expect(stored.sys_name).toBe('bad\uFFFDname');
    const health = await t.as().get('/health').expect(200);
    expect(health.body.info.pollResults).toEqual({ status: 'up', pending: 0, setAside: 0 });
  }, 60_000);

  it('sets aside a result the database still refuses, writes the rest of the batch, and says so', async () => {
    const store = t.app.get(PollingStore);
    const metrics = new PollingMetrics();
    const writes = new PendingWrites(store, metrics);
    const [a, b] = await Promise.all([
      t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name: 'a', commissionedOn: '2024-01-01' }).expect(201),
      t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name: 'b', commissionedOn: '2024-01-01' }).expect(201),
    ]);
    const at = Date.now();
    const record = (deviceId: string, message: string) => ({
      deviceId,
      memory: { ...emptyMemory(), state: 'down' as const, since: at, lastFailure: 'timeout' as const, lastFailureMessage: message },
      events: [{ kind: 'open' as const, cause: 'unreachable' as const, ifIndex: null, wanLinkId: null, at, detail: message }],
      changed: true,
      polledAt: at,
    });
    writes.push(record(a.body.id, 'no answer'));
    // A value that reached the writer unsanitised: PostgreSQL refuses the NUL byte.
    writes.push(record(b.body.id, 'bad\u0000detail'));
    await writes.flush();
    const rows: Array<{ device_id: string }> = await t.ds.query(`SELECT device_id FROM outage WHERE device_id = ANY($1)`, [[a.body.id, b.body.id]]);
    expect(rows.map((r) => r.device_id)).toEqual([a.body.id]);
    expect(metrics.writer.setAside).toEqual([expect.objectContaining({ deviceId: b.body.id })]);
    expect(metrics.writer.failingSince).toBeNull();
    expect((await metrics.registry.getSingleMetricAsString('hatang_poll_results_set_aside_total')).trim().split('\n').pop()).toBe('hatang_poll_results_set_aside_total 1');

    // A writer whose every batch fails makes /health say so (503), not "ok".
    const live = t.app.get(PollingMetrics).writer;
    live.failingSince = Date.now();
    live.lastError = 'Connection terminated unexpectedly';
    try {
      const health = await t.as().get('/health').expect(503);
      expect(health.body.detail).toBe('Unhealthy: pollResults');
      expect(health.body.checks.pollResults).toMatchObject({ status: 'down', lastError: 'Connection terminated unexpectedly' });
    } finally {
      live.failingSince = null;
      live.lastError = null;
    }
  });

  it('polls a device by DNS name; a name that does not resolve is its own state, not an outage', async () => {
    const named = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', name: 'by-name', status: 'active', commissionedOn: '2024-01-01', managementAddress: 'localhost' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${named.id}/snmp`).send({ version: '2c', community: 'public', port: good.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
    const up = await until('the device named localhost up', async () => {
      const s = await state(named.id);
      return s.state === 'up' && s;
    });
    expect(up.sysName).toBe('good-router');
    // Nothing changes while it stays up: polledAt is still the last poll (every second), not the last change.
    await new Promise((r) => setTimeout(r, 2500));
    const later = await state(named.id);
    expect(Date.now() - Date.parse(later.polledAt)).toBeLessThan(1500);
    expect(Date.parse(later.polledAt) - Date.parse(later.since)).toBeGreaterThan(1500);

    const lost = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', name: 'lost', status: 'active', commissionedOn: '2024-01-01', managementAddress: 'no-such-switch.invalid' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${lost.id}/snmp`).send({ version: '2c', community: 'public', port: good.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
    const unresolved = await until('the unresolved name seen', async () => {
      const s = await state(lost.id);
      return s.state === 'unresolved' && s;
    });
    expect(unresolved).toMatchObject({ lastFailure: 'unresolved', lastFailureMessage: expect.stringMatching(/^management address no-such-switch\.invalid does not resolve: (ENOTFOUND|EAI_AGAIN)/) });
    expect((await t.http().get(`/api/v1/devices/${lost.id}/outages`).query({ from: new Date(Date.now() - 600_000).toISOString() })).body.items).toEqual([]);
    // The fleet counts from the latest-poll rows, written within a second.
    await until('the fleet counting it', async () => (await t.http().get('/api/v1/poller/state')).body.devices.unresolved === 1);

    const bad = await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'planned', managementAddress: 'sw core!' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'managementAddress', message: expect.stringContaining('host name') })]);
  }, 40_000);

  it('takes an agent whose sysUpTime stands still for a frozen clock, not a reboot at every poll', async () => {
    const since = Date.now();
    const d = await device('frozen', frozen.port);
    const s = await until('the frozen agent polled a few times', async () => {
      const st = await state(d.id);
      return st.state === 'up' && st.uptimeFrozenSince && Date.now() - since > 4_000 && st;
    });
    expect(Date.parse(s.uptimeFrozenSince)).toBeGreaterThanOrEqual(since - 1000);
    expect(s.uptimeTicks).toBe(697_202_257);
    const outages = (await t.http().get(`/api/v1/devices/${d.id}/outages`).query({ from: new Date(since - 3_600_000).toISOString() }).expect(200)).body.items;
    expect(outages).toEqual([]);
    const availability = (await t.http().get(`/api/v1/devices/${d.id}/availability`).query({ from: new Date(since).toISOString(), to: new Date().toISOString() }).expect(200)).body;
    expect(availability.downSeconds).toBe(0);
  }, 30_000);

  it('keeps a device that refuses its v3 credentials as refused: its outage closes with the current cause, and the time is not counted up', async () => {
    const u = SNMPD.privUser;
    const v3 = { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: u.privKey, intervalSeconds: 1, timeoutMs: 300, retries: 0 };
    const d = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'server', name: 'snmpd-v3', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    const profile = (port: number, authKey: string) => t.http().put(`/api/v1/devices/${d.id}/snmp`).send({ ...v3, port, authKey }).expect(200);
    await profile(snmpd.port, u.authKey);
    await until('snmpd answering', async () => (await state(d.id)).state === 'up');
    // Nothing answers on the port: down, an outage "no answer".
    await profile(9, u.authKey);
    await until('down', async () => (await state(d.id)).state === 'down');
    // snmpd answers again, but the key is wrong: it answers and refuses.
    await profile(snmpd.port, 'not-the-auth-key');
    const refused = await until('refused', async () => {
      const st = await state(d.id);
      return st.state === 'refused' && st;
    });
    expect(refused).toMatchObject({ lastFailure: 'auth', lastFailureMessage: expect.stringMatching(/^SNMPv3 authentication with 127\.0\.0\.1:\d+ failed/) });
    const [outage] = await until('the outage closed in the ledger', async () => {
      const items: Array<{ cause: string; endedAt: string | null; detail: string }> = (await t.http().get(`/api/v1/devices/${d.id}/outages`).query({ from: new Date(Date.now() - 600_000).toISOString() }).expect(200)).body.items;
      return items.length === 1 && items[0].endedAt !== null && items;
    });
    expect(outage.detail).toMatch(/^SNMPv3 authentication with .* \(it answers, refusing the credentials\)$/);
    // While it refuses, nothing is known of it: the time counts neither up nor down.
    const from = Date.parse(refused.since) + 1000;
    await new Promise((r) => setTimeout(r, 2500));
    const window = { from: new Date(from).toISOString(), to: new Date(from + 1500).toISOString() };
    const availability = (await t.http().get(`/api/v1/devices/${d.id}/availability`).query(window).expect(200)).body;
    expect(availability).toMatchObject({ upSeconds: 0, downSeconds: 0, unknownSeconds: 1.5 });
  }, 40_000);

  it('answers 400, naming the field, to poll results with a NUL or an impossible uptime', async () => {
    const poller = await t.token({ role: 'poller' });
    const at = new Date().toISOString();
    const deviceId = '00000000-0000-4000-8000-000000000001';
    const nul = await t.as(poller).post('/api/v1/poller/results').send({ items: [{ deviceId, at, reading: { sysName: 'bad\u0000name', interfaces: [] } }] }).expect(400);
    expect(nul.body.errors).toEqual([expect.objectContaining({ field: 'items[0].reading.sysName', message: expect.stringContaining('NUL') })]);
    const huge = await t.as(poller).post('/api/v1/poller/results').send({ items: [{ deviceId, at, reading: { sysUpTimeTicks: 1e308, interfaces: [] } }] }).expect(400);
    expect(huge.body.errors).toEqual([expect.objectContaining({ field: 'items[0].reading.sysUpTimeTicks' })]);
  });
});
