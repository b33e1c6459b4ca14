import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PollingMetrics, RemotePoller } from '@app/polling';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';

const ROOT = join(__dirname, '..');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `apps/poller` with API_URL and a poller token, as a district would run it: a separate process
 * with no database, polling a simulated device over UDP on 127.0.0.1, its results kept by the API.
 */
describe('the poller with no database, through the API', () => {
  let t: TestApp;
  let sim: SimulatedDevice;
  let poller: ChildProcess | undefined;
  let output = '';
  let device: { id: string };
  const dataDir = join(mkdtempSync(join(tmpdir(), 'hatang-remote-')), 'never-created');

  beforeAll(async () => {
    sim = await SimulatedDevice.start({ communities: ['an-lao-secret'], sysName: 'an-lao-gw' });
    t = await startApp('pglite');
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    await t.http().post('/api/v1/administrative-units/official-list').send(JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'))).expect(200);
    const anLao = (await t.http().get('/api/v1/administrative-units').query({ code: '542' })).body.items[0];
    const agency = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-542', name: 'UBND huyện An Lão', kind: 'district_committee', administrativeUnitId: anLao.id }).expect(201)).body;
    device = (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${device.id}/snmp`).send({ version: '2c', community: 'an-lao-secret', port: sim.port, intervalSeconds: 1, timeoutMs: 300, retries: 0, pollerGroup: 'an-lao' }).expect(200);
    const token = await t.token({ role: 'poller', owner: 'Poller at UBND huyện An Lão', administrativeUnitId: anLao.id });
    poller = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/poller/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, API_URL: `http://127.0.0.1:${port}`, POLLER_TOKEN: token, POLLER_GROUP: 'an-lao', DATABASE_URL: '', DATA_DIR: dataDir, NODE_OPTIONS: '' },
    });
    poller.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    poller.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  }, 60_000);
  afterAll(async () => {
    poller?.kill('SIGKILL');
    await sim?.stop();
    await t?.close();
  });

  const state = async () => (await t.http().get(`/api/v1/devices/${device.id}/poll-state`)).body as { state?: string; sysName?: string };
  const outages = async () => (await t.http().get(`/api/v1/devices/${device.id}/outages`).query({ from: '2020-01-01T00:00:00Z' }).expect(200)).body.items as Array<{ cause: string; startedAt: string; endedAt: string | null }>;

  it('polls its group, and the API records the device going down and coming back within one interval of the truth', async () => {
    const up = await until('the first poll', async () => ((await state()).state === 'up' ? state() : undefined), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; poller said: ${output}`);
    });
    expect(up.sysName).toBe('an-lao-gw');
    expect(output).toContain('polling 1 devices of group "an-lao"');

    const downAt = Date.now();
    sim.goDown();
    const opened = await until('the outage', async () => (await outages()).find((o) => o.cause === 'unreachable'), 15_000);
    // Stamped with the send time of the first poll that got no answer: within one interval (1 s)
    // of the truth, or up to the poll's timeout (0.3 s) before it.
    expect(Date.parse(opened.startedAt) - downAt).toBeGreaterThanOrEqual(-300);
    expect(Date.parse(opened.startedAt) - downAt).toBeLessThanOrEqual(1000);

    const backAt = Date.now();
    sim.comeBack();
    const closed = await until('the outage to end', async () => (await outages()).find((o) => o.cause === 'unreachable' && o.endedAt), 15_000);
    expect(Date.parse(closed.endedAt!) - backAt).toBeGreaterThanOrEqual(-300);
    expect(Date.parse(closed.endedAt!) - backAt).toBeLessThanOrEqual(1000);
    expect((await state()).state).toBe('up');
    // polledAt is the last poll, though nothing has changed (and no row been written) since the outage ended.
    await new Promise((r) => setTimeout(r, 3000));
    const now = (await state()) as { polledAt: string; since: string };
    expect(Date.now() - Date.parse(now.polledAt)).toBeLessThan(2500);
    expect(Date.parse(now.polledAt) - Date.parse(now.since)).toBeGreaterThan(2000);
  }, 60_000);

  it('stops on SIGTERM after sending what it polled, and never touched a database', async () => {
    const code = await new Promise<number | null>((resolve) => {
      poller!.once('exit', (c) => resolve(c));
      poller!.kill('SIGTERM');
    });
    poller = undefined;
    expect(code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});

/**
 * What a remote poller reads besides the ledger: interface lists, LLDP neighbours and traffic
 * points, sent through the API (before, readings with interface error counters were refused, and
 * nothing else was sent). The poller runs in this process so its clock can be set back: it keeps
 * the real pace, 14 s before the end of a slot 20 minutes ago, so a slot closes within the test.
 */
describe('a remote poller\'s interfaces, neighbours and traffic, through the API', () => {
  const SLOT = 300_000;
  let t: TestApp;
  let sim: SimulatedDevice;
  let poller: RemotePoller;
  let deviceId: string;
  let agencyId: string;
  let token: string;
  let counters: NodeJS.Timeout;
  let offset: number;
  let slotEnd: number;

  beforeAll(async () => {
    sim = await SimulatedDevice.start({
      communities: ['hoai-nhon-secret'],
      sysName: 'hoai-nhon-gw',
      interfaces: [
        { ifIndex: 1, up: true, speedMbps: 1000, name: 'Gi0/1' },
        { ifIndex: 2, up: true, speedMbps: 100, name: 'Gi0/2', alias: 'WAN tỉnh' },
      ],
      neighbours: [{ localPortNum: 1, localPort: 'Gi0/1', chassisId: '00:1b:2c:00:00:31', sysName: 'CORE.hoainhon', portId: 'Gi1/0/12', managementAddress: '127.0.0.50' }],
    });
    // 10 Mbit/s in, 2 Mbit/s out and one error a second on Gi0/2, from now on.
    const t0 = Date.now();
    counters = setInterval(() => {
      const s = (Date.now() - t0) / 1000;
      sim.setCounters(2, BigInt(Math.round(s * 1_250_000)), BigInt(Math.round(s * 250_000)));
      sim.setErrors(2, Math.floor(s), 0);
    }, 10);
    t = await startApp('pglite');
    await t.app.listen(0, '127.0.0.1');
    await t.http().post('/api/v1/administrative-units/official-list').send(JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'))).expect(200);
    const unit = (await t.http().get('/api/v1/administrative-units').query({ code: '540' })).body.items[0];
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-540', name: 'UBND thị xã Hoài Nhơn', kind: 'district_committee', administrativeUnitId: unit.id }).expect(201)).body.id;
    deviceId = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body.id;
    await t.http().put(`/api/v1/devices/${deviceId}/snmp`).send({ version: '2c', community: 'hoai-nhon-secret', port: sim.port, intervalSeconds: 1, timeoutMs: 300, retries: 0, pollerGroup: 'hoai-nhon' }).expect(200);
    token = await t.token({ role: 'poller', owner: 'Poller at Hoài Nhơn', administrativeUnitId: unit.id });
    const now = Date.now();
    const past = now - 20 * 60_000;
    slotEnd = past - (past % SLOT) + SLOT;
    offset = slotEnd - 14_000 - now;
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    poller = new RemotePoller(new PollingMetrics(), { apiUrl: `http://127.0.0.1:${port}`, token, group: 'hoai-nhon', sockets: 1, maxInFlight: 10, reloadEveryMs: 300, sendEveryMs: 200, clock: () => Date.now() + offset });
    await poller.start();
  }, 60_000);
  afterAll(async () => {
    clearInterval(counters);
    await poller?.stop();
    await sim?.stop();
    await t?.close();
  });

  it('lists the device\'s interfaces and neighbours, then sends its WAN link\'s counters, errors included, and the 5-minute point they add up to', async () => {
    const interfaces = await until(
      'the interface list',
      async () => {
        const items = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces`).expect(200)).body.items as Array<{ id: string; ifIndex: number; name: string; alias: string | null }>;
        return items.length === 2 ? items : undefined;
      },
      15_000,
    );
    expect(interfaces.map((i) => [i.ifIndex, i.name, i.alias])).toEqual([
      [1, 'Gi0/1', null],
      [2, 'Gi0/2', 'WAN tỉnh'],
    ]);
    const neighbours = (await t.http().get(`/api/v1/devices/${deviceId}/neighbours`).expect(200)).body.items;
    expect(neighbours).toEqual([expect.objectContaining({ localPort: 'Gi0/1', sysName: 'CORE.hoainhon', portId: 'Gi1/0/12', managementAddress: '127.0.0.50' })]);

    // The link is registered once its interface is listed; the poller takes it at its next read of the targets.
    await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, deviceId, interfaceName: 'Gi0/2', commissionedOn: '2024-01-01' }).expect(201);
    const polled = await until(
      'the link\'s counters',
      async () => {
        const s = (await t.http().get(`/api/v1/devices/${deviceId}/poll-state`)).body as { interfaces?: Record<string, { inOctets?: string; inErrors?: number | null }> };
        return s.interfaces?.[2]?.inErrors != null ? s.interfaces[2] : undefined;
      },
      10_000,
    );
    expect(BigInt(polled.inOctets!)).toBeGreaterThan(0n);
    expect(Date.now() + offset).toBeLessThan(slotEnd);

    const slot = slotEnd - SLOT;
    const point = await until(
      'the slot\'s traffic point',
      async () => {
        const body = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaces[1].id}/traffic`).query({ from: new Date(slot).toISOString(), to: new Date(slotEnd).toISOString() }).expect(200)).body;
        return body.points[0] as { at: string; inBps: number; outBps: number; inErrorsPerSecond: number; seconds: number } | undefined;
      },
      30_000,
    );
    expect(point.at).toBe(new Date(slot).toISOString());
    // The seconds between the link's first counted poll and the end of the slot.
    expect(point.seconds).toBeGreaterThanOrEqual(2);
    expect(point.seconds).toBeLessThanOrEqual(13);
    expect(point.inBps / 10_000_000).toBeCloseTo(1, 1);
    expect(point.outBps / 2_000_000).toBeCloseTo(1, 1);
    expect(point.inErrorsPerSecond).toBeGreaterThan(0.5);
    expect(point.inErrorsPerSecond).toBeLessThan(1.5);
  }, 60_000);

  it('refuses bad listings and points whole, naming each item, and records nothing of them', async () => {
    const as = t.as(token);
    const before = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces`).expect(200)).body.items.length;
    const now = Date.now();
    const bad = await as
      .post('/api/v1/poller/listings')
      .send({ items: [{ deviceId, at: new Date(now).toISOString(), interfaces: [{ ifIndex: 9, name: 'Gi0/9' }] }, { deviceId: '00000000-0000-4000-8000-000000000000', at: new Date(now).toISOString(), interfaces: [{ ifIndex: 0, name: '' }] }] })
      .expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items[1].interfaces[0].ifIndex', 'items[1].interfaces[0].name']);
    const address = await as.post('/api/v1/poller/listings').set('Accept-Language', 'vi').send({ items: [{ deviceId, at: new Date(now).toISOString(), neighbours: [{ localPortNum: 1, managementAddress: '10.0.0.300' }] }] }).expect(400);
    expect(address.body.errors).toEqual([expect.objectContaining({ field: 'items[0].neighbours[0].managementAddress', message: 'managementAddress phải là địa chỉ IPv4 hoặc IPv6' })]);
    const outside = await as.post('/api/v1/poller/listings').send({ items: [{ deviceId: '00000000-0000-4000-8000-000000000000', at: new Date(now).toISOString(), neighbours: [] }] }).expect(400);
    expect(outside.body.errors).toEqual([expect.objectContaining({ field: 'items[0].deviceId' })]);
    expect((await t.http().get(`/api/v1/devices/${deviceId}/interfaces`).expect(200)).body.items).toHaveLength(before);

    const slot = now - (now % SLOT) - SLOT;
    const point = { ifIndex: 2, at: new Date(slot).toISOString(), inBps: 1e6, outBps: 1e6, seconds: 300 };
    const reading = { sysUpTimeTicks: 100, sysName: 'hoai-nhon-gw', interfaces: [] };
    const refused = await as
      .post('/api/v1/poller/results')
      .send({ items: [{ deviceId, at: new Date(now).toISOString(), reading, points: [{ ...point, at: new Date(slot + 1000).toISOString() }, { ...point, seconds: 301, inBps: -1 }] }] })
      .expect(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['items[0].points[0].at', 'items[0].points[1].inBps', 'items[0].points[1].seconds']);
    const early = await as.post('/api/v1/poller/results').send({ items: [{ deviceId, at: new Date(slot - 1000).toISOString(), reading, points: [point] }] }).expect(400);
    expect(early.body.errors).toEqual([expect.objectContaining({ field: 'items[0].points[0].at' })]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM traffic_5m WHERE at = $1`, [new Date(slot)]);
    expect(n).toBe(0);
  });
});

/**
 * A remote poller facing an API older than itself (no listings route): it says so and goes on
 * sending its results. The API here is a stand-in HTTP server on 127.0.0.1 answering as that
 * older API did; the device is a simulated agent.
 */
describe('a remote poller facing an API without the listings route', () => {
  let sim: SimulatedDevice;
  let server: Server;
  let poller: RemotePoller;
  const results: unknown[] = [];
  const asked: string[] = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    sim = await SimulatedDevice.start({ communities: ['old-api'], sysName: 'old-api-gw', interfaces: [{ ifIndex: 1, up: true, speedMbps: 100, name: 'Gi0/1' }] });
    const target = { deviceId: '6a1f2d1e-0000-4000-8000-000000000001', address: '127.0.0.1', port: sim.port, timeoutMs: 300, retries: 0, credentials: { version: '2c', community: 'old-api' }, intervalSeconds: 1, links: [] };
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        asked.push(`${req.method} ${req.url!.split('?')[0]}`);
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url!.startsWith('/api/v1/poller/targets')) return res.end(JSON.stringify({ group: 'old', items: [target], total: 1, next: null }));
        if (req.method === 'POST' && req.url === '/api/v1/poller/results') {
          results.push(...(JSON.parse(body) as { items: unknown[] }).items);
          return res.end(JSON.stringify({ accepted: 1, changed: 0 }));
        }
        res.statusCode = 404;
        res.end(JSON.stringify({ title: 'Not Found', status: 404, detail: `Cannot ${req.method} ${req.url}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const log = { log: () => undefined, error: () => undefined, warn: (m: string) => warnings.push(m) };
    poller = new RemotePoller(new PollingMetrics(), { apiUrl: `http://127.0.0.1:${port}`, token: 'hat_test', group: 'old', sockets: 1, maxInFlight: 10, sendEveryMs: 200, log });
    await poller.start();
  }, 30_000);
  afterAll(async () => {
    await poller?.stop();
    await sim?.stop();
    await new Promise((r) => server?.close(r));
  });

  it('logs that the listings cannot go, and keeps sending results', async () => {
    await until('results after the refused listings', async () => (results.length >= 3 ? true : undefined), 15_000);
    expect(asked.filter((a) => a === 'POST /api/v1/poller/listings')).toHaveLength(1);
    expect(warnings).toEqual([expect.stringContaining('POST /poller/listings answers 404')]);
    expect(results[0]).toMatchObject({ deviceId: '6a1f2d1e-0000-4000-8000-000000000001', reading: { sysName: 'old-api-gw' } });
  }, 30_000);
});
