import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

describe.each(ENGINES)('agencies and equipment on %s', (engine) => {
  let t: TestApp;
  let commune: { id: string };
  let agency: { id: string };
  const count = async (path: string) => (await t.http().get(path).expect(200)).body.total as number;

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    agency = (
      await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'Ủy ban nhân dân xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)
    ).body;
  });
  afterAll(async () => {
    await t.close();
  });

  it('rejects an agency in an administrative unit that does not exist', async () => {
    const res = await t.http().post('/api/v1/agencies').send({ name: 'X', kind: 'commune_committee', administrativeUnitId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'administrativeUnitId' })]);
  });

  it('keeps staffing per year', async () => {
    await t.http().put(`/api/v1/agencies/${agency.id}/staffing/2015`).send({ civilServants: 22, publicEmployees: 3 }).expect(200);
    await t.http().put(`/api/v1/agencies/${agency.id}/staffing/2014`).send({ civilServants: 21, publicEmployees: 3 }).expect(200);
    const res = await t.http().get(`/api/v1/agencies/${agency.id}/staffing`).expect(200);
    expect(res.body.map((s: { year: number; civilServants: number }) => [s.year, s.civilServants])).toEqual([[2014, 21], [2015, 22]]);
    await t.http().put(`/api/v1/agencies/${agency.id}/staffing/2015`).send({ civilServants: -1, publicEmployees: 3 }).expect(400);
  });

  it('rejects a retired date before the commissioned date, and a duplicate serial number', async () => {
    const ok = { agencyId: agency.id, kind: 'router', serialNumber: 'FOC-1', commissionedOn: '2013-05-01' };
    await t.http().post('/api/v1/devices').send(ok).expect(201);
    const dup = await t.http().post('/api/v1/devices').send({ ...ok, commissionedOn: '2014-01-01' }).expect(400);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: 'serialNumber', message: 'another device already has serial number FOC-1' })]);
    const dates = await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'switch', status: 'retired', commissionedOn: '2014-01-01', retiredOn: '2013-12-31' }).expect(400);
    expect(dates.body.errors).toEqual([expect.objectContaining({ field: 'retiredOn', message: 'retiredOn (2013-12-31) is before commissionedOn (2014-01-01)' })]);
    expect(await count(`/api/v1/devices?agencyId=${agency.id}`)).toBe(1);
  });

  it('refuses a workstation assigned twice to one staff position, but accepts it once the first is retired', async () => {
    const ws = { agencyId: agency.id, kind: 'workstation', staffPosition: 'Văn phòng - Thống kê', commissionedOn: '2012-03-01' };
    const first = (await t.http().post('/api/v1/devices').send(ws).expect(201)).body;
    const twice = await t.http().post('/api/v1/devices').send(ws).expect(400);
    expect(twice.body.errors[0]).toMatchObject({ field: 'staffPosition' });
    await t.http().patch(`/api/v1/devices/${first.id}`).send({ status: 'retired', retiredOn: '2015-06-30' }).expect(200);
    await t.http().post('/api/v1/devices').send({ ...ws, commissionedOn: '2015-07-01' }).expect(201);
  });

  it('creates a bulk list all or nothing, naming the bad item by index', async () => {
    const before = await count('/api/v1/devices');
    const items = Array.from({ length: 5 }, (_, i) => ({ agencyId: agency.id, kind: 'ups', serialNumber: `UPS-${i}`, commissionedOn: '2014-01-01' }));
    items[3] = { ...items[3], serialNumber: 'UPS-1' };
    const bad = await t.http().post('/api/v1/devices').send(items).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: '[3].serialNumber' })]);
    expect(await count('/api/v1/devices')).toBe(before);
    items[3] = { ...items[3], serialNumber: 'UPS-3' };
    const ok = await t.http().post('/api/v1/devices').send(items).expect(201);
    expect(ok.body).toHaveLength(5);
    const ids = ok.body.map((d: { id: string }) => d.id);
    await t.http().patch('/api/v1/devices').send(ids.map((id: string) => ({ id, status: 'faulty' }))).expect(200);
    expect(await count('/api/v1/devices?kind=ups&status=faulty')).toBe(5);
    await t.http().delete('/api/v1/devices').send([ids[0], '00000000-0000-4000-8000-000000000000']).expect(400);
    expect(await count('/api/v1/devices?kind=ups')).toBe(5);
    await t.http().delete('/api/v1/devices').send(ids).expect(204);
    expect(await count('/api/v1/devices?kind=ups')).toBe(0);
  });

  it('pages through a list by cursor without losing or repeating a row', async () => {
    const items = Array.from({ length: 23 }, (_, i) => ({ agencyId: agency.id, kind: 'switch', name: `sw-${i}`, commissionedOn: `2014-01-${String((i % 5) + 1).padStart(2, '0')}` }));
    await t.http().post('/api/v1/devices').send(items).expect(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.http().get('/api/v1/devices').query({ kind: 'switch', sort: '-commissionedOn', limit: 5, ...(cursor ? { cursor } : {}) }).expect(200);
      expect(page.body.total).toBe(23);
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it('links a WAN link to the device carrying it, and filters by province subtree', async () => {
    const router = (await t.http().get('/api/v1/devices').query({ serialNumber: 'FOC-1' })).body.items[0];
    await t.http().post('/api/v1/wan-links').send({ agencyId: agency.id, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 10, deviceId: router.id, ifIndex: 2, commissionedOn: '2013-05-01' }).expect(201);
    expect(await count('/api/v1/wan-links?administrativeUnit=52&network=provincial_wan')).toBe(1);
    expect(await count('/api/v1/wan-links?administrativeUnit=48')).toBe(0);
    const inUse = await t.http().delete(`/api/v1/devices/${router.id}`).expect(409);
    expect(inUse.body.errors[0].message).toMatch(/WAN links are carried by this device/);
  });

  it('records who changed what, before and after', async () => {
    const d = (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'firewall', model: 'FortiGate 60D', commissionedOn: '2014-02-02' }).expect(201)).body;
    const admin = await t.token({ role: 'network_admin', owner: 'Nguyễn Văn An — Sở TT&TT' });
    const me = (await t.as(admin).get('/api/v1/me').expect(200)).body;
    await t.as(admin).patch(`/api/v1/devices/${d.id}`).send({ model: 'FortiGate 60E' }).expect(200);
    const log = await t.http().get('/api/v1/audit').query({ entityType: 'device', entityId: d.id }).expect(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'create']);
    expect(log.body.items[0].before.model).toBe('FortiGate 60D');
    expect(log.body.items[0].after.model).toBe('FortiGate 60E');
    expect(log.body.items[0]).toMatchObject({ actor: 'Nguyễn Văn An — Sở TT&TT', tokenId: me.tokenId, source: 'api' });
    expect(log.body.items[1].actor).toBe('Test admin');
  });

  it('marks a LAN complete from the day it joins every department', async () => {
    const lan = (await t.http().post('/api/v1/lans').send({ agencyId: agency.id, name: 'LAN UBND xã', departmentsJoined: 4, departmentsTotal: 6, commissionedOn: '2012-01-10' }).expect(201)).body;
    expect(lan.completedOn).toBeNull();
    const done = (await t.http().patch(`/api/v1/lans/${lan.id}`).send({ departmentsJoined: 6, completedOn: '2014-09-01' }).expect(200)).body;
    expect(done.completedOn).toBe('2014-09-01');
    await t.http().patch(`/api/v1/lans/${lan.id}`).send({ departmentsJoined: 7 }).expect(400);
  });
});
