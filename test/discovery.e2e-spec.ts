import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryService } from '@app/polling';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { until } from './support/wait';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const V2C = 'xa-public-7731';
const V3 = { name: 'hatang-v3', authProtocol: 'sha256' as const, authKey: 'auth-key-90210', privProtocol: 'aes' as const, privKey: 'priv-key-90210' };

/**
 * Discovery on loopback: agents on 127.0.0.11-13 (one already registered, one answering only the
 * second credential, one refusing both), 127.0.0.9, .10 and .14 silent.
 */
describe.each(ENGINES)('discovery on %s', (engine) => {
  let t: TestApp;
  const agents: SimulatedDevice[] = [];
  let port: number;
  let agencyId: string;
  let communeId: string;
  let existingId: string;

  const waitDone = (id: string) =>
    until(`discovery ${id} to finish`, async () => {
      const d = (await t.http().get(`/api/v1/discoveries/${id}`).expect(200)).body;
      return d.state === 'running' ? null : d;
    });
  const deviceCount = async () => (await t.http().get('/api/v1/devices').query({ limit: 1 })).body.total;

  beforeAll(async () => {
    const known = await SimulatedDevice.start({
      address: '127.0.0.11',
      communities: [V2C],
      sysName: 'sw-core.nhonchau',
      sysObjectID: '1.3.6.1.4.1.9.1.2134',
      sysLocation: 'Phòng máy UBND xã',
      chassis: { serialNumber: 'FDO2231X0AB', model: 'WS-C2960X-24TS-L', manufacturer: 'Cisco' },
    });
    port = known.port;
    agents.push(
      known,
      await SimulatedDevice.start({ address: '127.0.0.12', port, users: [V3], sysName: 'acc-sw.nhonchau', sysObjectID: '1.3.6.1.4.1.2011.2.23.97', sysDescr: 'Huawei S5735' }),
      await SimulatedDevice.start({ address: '127.0.0.13', port, users: [{ ...V3, name: 'someone-else' }], sysName: 'fw.nhonchau' }),
    );
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    communeId = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0].id;
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: communeId }).expect(201)).body.id;
    existingId = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', name: 'SW lõi', serialNumber: 'FDO2231X0AB', status: 'active', commissionedOn: '2022-05-01' }).expect(201)).body.id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    for (const a of agents) await a.stop();
  });

  it('stores credentials by name and never shows their secrets', async () => {
    const created = await t.http().put('/api/v1/snmp-credentials/v2c-xa').send({ version: '2c', community: V2C }).expect(201);
    expect(created.body).toMatchObject({ name: 'v2c-xa', version: '2c', securityLevel: 'community', hasCommunity: true });
    await t.http().put('/api/v1/snmp-credentials/v3-so').send({ version: '3', user: V3.name, authProtocol: V3.authProtocol, authKey: V3.authKey, privProtocol: V3.privProtocol, privKey: V3.privKey }).expect(201);
    // A second PUT without the secret keeps it.
    const kept = await t.http().put('/api/v1/snmp-credentials/v2c-xa').send({ version: '2c' }).expect(200);
    expect(kept.body.hasCommunity).toBe(true);
    const list = await t.http().get('/api/v1/snmp-credentials').expect(200);
    expect(list.body.items.map((c: { name: string }) => c.name)).toEqual(['v2c-xa', 'v3-so']);
    expect(list.body.items[1]).toMatchObject({ user: V3.name, securityLevel: 'authPriv', hasAuthKey: true, hasPrivKey: true });
    for (const secret of [V2C, V3.authKey, V3.privKey]) expect(JSON.stringify(list.body)).not.toContain(secret);
  });

  it('refuses a bad credential field by field and stores nothing', async () => {
    const bad = await t.http().put('/api/v1/snmp-credentials/v3-bad').send({ version: '3', user: 'x' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['authKey', 'authProtocol']);
    const badName = await t.http().put('/api/v1/snmp-credentials/%20bad%20name').send({ version: '2c', community: 'x' }).expect(400);
    expect(badName.body.errors[0].field).toBe('name');
    await t.http().get('/api/v1/snmp-credentials').expect(200).expect((r) => expect(r.body.items).toHaveLength(2));
    // Credentials are for those who register equipment, not for planners.
    await t.as(await t.token({ role: 'planner' })).get('/api/v1/snmp-credentials').expect(403);
  });

  it('refuses a bad discovery, saying why, and starts nothing', async () => {
    const both = await t.http().post('/api/v1/discoveries').send({ cidr: '127.0.0.8/29', addresses: ['127.0.0.11'], credentials: ['v2c-xa'] }).expect(400);
    expect(both.body.errors[0]).toMatchObject({ field: 'cidr', message: expect.stringContaining('not both') });
    const wide = await t.http().post('/api/v1/discoveries').send({ cidr: '10.52.0.0/16', credentials: ['v2c-xa'] }).expect(400);
    expect(wide.body.errors[0].message).toBe('cidr /16 is 65,536 addresses; a discovery probes at most a /22 (1,024 addresses) at a time: split the range');
    const unknown = await t.http().post('/api/v1/discoveries').send({ cidr: '127.0.0.8/29', credentials: ['v2c-xa', 'nope'] }).expect(400);
    expect(unknown.body.errors[0]).toEqual({ field: 'credentials', message: 'no stored credential is named "nope" (stored: v2c-xa, v3-so)' });
    const fast = await t.http().post('/api/v1/discoveries').send({ addresses: ['127.0.0.11', 'not-an-ip'], credentials: ['v2c-xa'], ratePerSecond: 5000 }).expect(400);
    expect(fast.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['addresses', 'ratePerSecond']);
    expect((await t.http().get('/api/v1/discoveries').expect(200)).body.items).toEqual([]);
  });

  let discoveryId: string;
  it('probes a range at the rate asked, lists what answered and matches it against the inventory', async () => {
    const started = await t.http().post('/api/v1/discoveries').send({ cidr: '127.0.0.8/29', credentials: ['v2c-xa', 'v3-so'], port, timeoutMs: 300, ratePerSecond: 4 }).expect(202);
    expect(started.body).toMatchObject({ state: 'running', total: 6, request: { cidr: '127.0.0.8/29', credentials: ['v2c-xa', 'v3-so'], port, ratePerSecond: 4 } });
    discoveryId = started.body.id;
    const done = await waitDone(discoveryId);
    expect(done).toMatchObject({ state: 'done', total: 6, probed: 6, answered: 2 });
    // Six addresses at 4 a second: the last begins 1.25 s after the first.
    expect(Date.parse(done.finishedAt) - Date.parse(done.startedAt)).toBeGreaterThanOrEqual(1250);
    const byAddress = Object.fromEntries(done.results.map((r: { address: string }) => [r.address, r]));
    expect(Object.keys(byAddress)).toEqual(['127.0.0.11', '127.0.0.12', '127.0.0.13']);
    expect(byAddress['127.0.0.11']).toMatchObject({
      outcome: 'answered',
      credentialName: 'v2c-xa',
      sysName: 'sw-core.nhonchau',
      sysLocation: 'Phòng máy UBND xã',
      serialNumber: 'FDO2231X0AB',
      model: 'WS-C2960X-24TS-L',
      manufacturer: 'Cisco',
      matches: [{ deviceId: existingId, name: 'SW lõi', agencyId, by: ['serialNumber'] }],
    });
    // Answered only the second credential; no ENTITY-MIB, so the maker comes from sysObjectID.
    expect(byAddress['127.0.0.12']).toMatchObject({ outcome: 'answered', credentialName: 'v3-so', sysName: 'acc-sw.nhonchau', sysDescr: 'Huawei S5735', manufacturer: 'Huawei', serialNumber: null, matches: [] });
    expect(byAddress['127.0.0.13']).toMatchObject({ outcome: 'refused', credentialName: null, problem: 'refused "v3-so"', sysName: null });
    for (const secret of [V2C, V3.authKey, V3.privKey]) expect(JSON.stringify(done)).not.toContain(secret);
  });

  it('registers the picked devices with their SNMP profiles in one call, or nothing and every problem', async () => {
    const before = await deviceCount();
    const silent = await t.http().post(`/api/v1/discoveries/${discoveryId}/register`).send({ agencyId, devices: [{ address: '127.0.0.12', kind: 'switch' }, { address: '127.0.0.14', kind: 'switch' }, { address: '127.0.0.13', kind: 'firewall' }] }).expect(400);
    expect(silent.body.errors).toEqual([
      { field: 'devices[1].address', message: `127.0.0.14 did not answer discovery ${discoveryId}` },
      { field: 'devices[2].address', message: '127.0.0.13 refused every credential tried (refused "v3-so"): there is no credential to poll it with' },
    ]);
    // The already registered switch: its serial number is taken, so the valid one is not written either.
    const twin = await t.http().post(`/api/v1/discoveries/${discoveryId}/register`).send({ agencyId, devices: [{ address: '127.0.0.12', kind: 'switch' }, { address: '127.0.0.11', kind: 'switch' }] }).expect(400);
    expect(twin.body.errors.map((e: { field: string }) => e.field)).toEqual(['devices[1].serialNumber']);
    expect(await deviceCount()).toBe(before);

    const registered = await t.http().post(`/api/v1/discoveries/${discoveryId}/register`).send({ agencyId, intervalSeconds: 1, devices: [{ address: '127.0.0.12', kind: 'switch', commissionedOn: '2023-03-15' }] }).expect(201);
    const device = registered.body.items[0];
    expect(device).toMatchObject({ agencyId, kind: 'switch', name: 'acc-sw.nhonchau', manufacturer: 'Huawei', managementAddress: '127.0.0.12', status: 'active', commissionedOn: '2023-03-15' });
    expect(await deviceCount()).toBe(before + 1);
    const profile = (await t.http().get(`/api/v1/devices/${device.id}/snmp`).expect(200)).body;
    expect(profile).toMatchObject({ version: '3', user: V3.name, authProtocol: 'sha256', privProtocol: 'aes', hasAuthKey: true, hasPrivKey: true, port, intervalSeconds: 1 });
    const audit = (await t.http().get('/api/v1/audit').query({ entityId: device.id })).body.items.map((e: { entityType: string; action: string }) => `${e.action} ${e.entityType}`);
    expect(audit.sort()).toEqual(['create device', 'create snmp_profile']);
    // The in-process poller takes it up with the credential that answered.
    const state = await until('the registered device to be polled', async () => {
      const s = (await t.http().get(`/api/v1/devices/${device.id}/poll-state`)).body;
      return s.state === 'up' ? s : null;
    });
    expect(state.sysName).toBe('acc-sw.nhonchau');
    // Read again, the discovery shows the new device as a match.
    const again = (await t.http().get(`/api/v1/discoveries/${discoveryId}`).expect(200)).body;
    expect(again.results.find((r: { address: string }) => r.address === '127.0.0.12').matches).toEqual([{ deviceId: device.id, name: 'acc-sw.nhonchau', agencyId, by: ['managementAddress', 'sysName'] }]);
  }, 30_000);

  it("shows a scoped admin only their own discoveries", async () => {
    const scoped = t.as(await t.token({ role: 'network_admin', administrativeUnitId: communeId, owner: 'Admin xã' }));
    await scoped.get(`/api/v1/discoveries/${discoveryId}`).expect(404);
    expect((await scoped.get('/api/v1/discoveries').expect(200)).body.items).toEqual([]);
    const own = await scoped.post('/api/v1/discoveries').send({ addresses: ['127.0.0.11'], credentials: ['v2c-xa'], port, timeoutMs: 300 }).expect(202);
    await until('the scoped discovery to finish', async () => (await scoped.get(`/api/v1/discoveries/${own.body.id}`)).body.state === 'done');
    expect((await scoped.get('/api/v1/discoveries').expect(200)).body.items.map((d: { id: string }) => d.id)).toEqual([own.body.id]);
    expect((await t.http().get('/api/v1/discoveries').expect(200)).body.items).toHaveLength(2);
  });

  it('runs at most two at once, and a cancelled one keeps what it found', async () => {
    const slow = { addresses: ['127.0.0.11', '127.0.0.20', '127.0.0.21', '127.0.0.22', '127.0.0.23'], credentials: ['v2c-xa'], port, timeoutMs: 300, ratePerSecond: 1 };
    const a = (await t.http().post('/api/v1/discoveries').send(slow).expect(202)).body;
    const b = (await t.http().post('/api/v1/discoveries').send(slow).expect(202)).body;
    const third = await t.http().post('/api/v1/discoveries').send(slow).expect(409);
    expect(third.body.detail).toBe('2 discoveries are running already (at most 2 at once): wait for one to finish or cancel it');
    await until('the first address to be probed', async () => (await t.http().get(`/api/v1/discoveries/${a.id}`)).body.results.length === 1);
    const cancelled = (await t.http().post(`/api/v1/discoveries/${a.id}/cancel`).expect(200)).body;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.probed).toBeLessThan(5);
    expect((await t.http().get(`/api/v1/discoveries/${a.id}`)).body.results.map((r: { address: string }) => r.address)).toEqual(['127.0.0.11']);
    await t.http().post(`/api/v1/discoveries/${a.id}/cancel`).expect(409);
    await t.http().post(`/api/v1/discoveries/${b.id}/cancel`).expect(200);
    await t.app.get(DiscoveryService).settled(b.id);
  });
});
