import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AvailabilityService, ListingWriter, Poller, PollingMetrics, PollingStore } from '@app/polling';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { type RunningSnmpd, SNMPD, startSnmpd } from './support/snmpd';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const COMMUNITY = 'hatang-sim-secret';

let explain: () => Promise<unknown> = async () => undefined;
async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; at that moment: ${JSON.stringify(await explain())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (iso: string) => Date.parse(iso);

describe.each(ENGINES)('SNMP poller on %s', (engine) => {
  let t: TestApp;
  let sim: SimulatedDevice;
  let snmpd: RunningSnmpd;
  let agencyId: string;
  let router: { id: string };
  let linkId: string;

  beforeAll(async () => {
    sim = await SimulatedDevice.start({
      communities: [COMMUNITY],
      sysName: 'core-sw.sotttt',
      interfaces: [{ ifIndex: 2, up: true, speedMbps: 1000 }],
      chassis: { serialNumber: 'FDO2231X0AB', model: 'WS-C2960X-24TS-L', manufacturer: 'Cisco' },
    });
    snmpd = await startSnmpd();
    t = await startApp(engine);
    explain = async () => ({ state: (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body, poller: (await t.http().get('/api/v1/poller/state')).body, simulator: { answered: sim.answered, dropped: sim.dropped } });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    router = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    linkId = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, deviceId: router.id, ifIndex: 2, commissionedOn: '2024-01-01' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
    await snmpd?.stop();
  });

  it('refuses bad profiles, field by field, and writes nothing', async () => {
    const bad = await t.http().put(`/api/v1/devices/${router.id}/snmp`).send({ version: '3', community: 'x', authProtocol: 'md5', port: 0 }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['authProtocol', 'port']);
    const semantic = await t.http().put(`/api/v1/devices/${router.id}/snmp`).send({ version: '3', community: 'x' }).expect(400);
    expect(semantic.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['authKey', 'authProtocol', 'community', 'user']);
    const noAddress = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', status: 'active', commissionedOn: '2024-01-01' }).expect(201)).body;
    const r = await t.http().put(`/api/v1/devices/${noAddress.id}/snmp`).send({ version: '2c', community: 'public' }).expect(400);
    expect(r.body.errors[0].message).toMatch(/managementAddress/);
    await t.http().get(`/api/v1/devices/${router.id}/snmp`).expect(404);
  });

  it('polls a device, fills its chassis from ENTITY-MIB, and keeps the community secret', async () => {
    const put = await t.http().put(`/api/v1/devices/${router.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: sim.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
    expect(put.body).toMatchObject({ version: '2c', hasCommunity: true, intervalSeconds: 1 });
    expect(JSON.stringify(put.body)).not.toContain(COMMUNITY);
    const state = await until('the first poll', async () => {
      const s = await t.http().get(`/api/v1/devices/${router.id}/poll-state`);
      return s.status === 200 && s.body.state === 'up' && s.body;
    });
    expect(state.interfaces).toMatchObject({ 2: { operStatus: 1, highSpeedMbps: 1000, inOctets: '2000', outOctets: '4000' } });
    const device = await until('the chassis', async () => {
      const d = (await t.http().get(`/api/v1/devices/${router.id}`)).body;
      return d.serialNumber && d;
    });
    expect(device).toMatchObject({ serialNumber: 'FDO2231X0AB', model: 'WS-C2960X-24TS-L', manufacturer: 'Cisco' });
    // Filled through the inventory: audited as the poller's change.
    const filled = (await t.http().get('/api/v1/audit').query({ entityId: router.id, entityType: 'device' })).body.items.find((e: { action: string }) => e.action === 'update');
    expect(filled).toMatchObject({ source: 'poller', actor: expect.stringMatching(/^poller@/), after: expect.objectContaining({ serialNumber: 'FDO2231X0AB' }) });
    const [stored] = await t.ds.query(`SELECT community_secret FROM snmp_profile WHERE device_id = $1`, [router.id]);
    expect(stored.community_secret).toMatch(/^v1\./);
    expect(stored.community_secret).not.toContain(COMMUNITY);
    const everything = JSON.stringify([(await t.http().get(`/api/v1/devices/${router.id}/snmp`)).body, (await t.http().get('/api/v1/audit').query({ limit: 500 })).body, (await t.http().get('/api/v1/poller/state')).body]);
    expect(everything).not.toContain(COMMUNITY);
  });

  it("names the maker from sysObjectID's enterprise number when ENTITY-MIB has no chassis", async () => {
    // A Huawei switch without ENTITY-MIB, and a Linux server on Debian's snmpd (Net-SNMP's
    // enterprise names the agent's software, not the hardware: no maker).
    const huawei = await SimulatedDevice.start({ communities: [COMMUNITY], sysName: 'acc-sw.ianhrung', sysObjectID: '1.3.6.1.4.1.2011.2.23.97' });
    try {
      const sw = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
      const server = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'server', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
      await t.http().put(`/api/v1/devices/${sw.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: huawei.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
      await t.http().put(`/api/v1/devices/${server.id}/snmp`).send({ version: '2c', community: SNMPD.community, port: snmpd.port, intervalSeconds: 1, timeoutMs: 500, retries: 0 }).expect(200);
      const filled = await until('the maker of the switch', async () => {
        const d = (await t.http().get(`/api/v1/devices/${sw.id}`)).body;
        return d.manufacturer && d;
      });
      expect(filled).toMatchObject({ manufacturer: 'Huawei', model: null, serialNumber: null });
      const audit = (await t.http().get('/api/v1/audit').query({ entityId: sw.id, entityType: 'device' })).body.items.find((e: { action: string }) => e.action === 'update');
      expect(audit).toMatchObject({ source: 'poller', after: expect.objectContaining({ manufacturer: 'Huawei' }) });
      await until('the server answering', async () => (await t.http().get(`/api/v1/devices/${server.id}/poll-state`)).body.state === 'up');
      expect((await t.http().get(`/api/v1/devices/${server.id}/poll-state`)).body.sysObjectId).toMatch(/^1\.3\.6\.1\.4\.1\.8072\./);
      // Its first answer came and went (the fill runs right after it): still no maker.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await t.http().get(`/api/v1/devices/${server.id}`)).body.manufacturer).toBeNull();
      for (const d of [sw, server]) await t.http().delete(`/api/v1/devices/${d.id}/snmp`).expect(204);
    } finally {
      await huawei.stop();
    }
  });

  it("says in the device's state which chassis field it could not fill, and why", async () => {
    // A second switch that answers with the serial the first one already has (a cloned config, a
    // device registered twice): model and maker are filled, the serial is refused and said so.
    const twin = await SimulatedDevice.start({ communities: [COMMUNITY], sysName: 'twin-sw', chassis: { serialNumber: 'FDO2231X0AB', model: 'WS-C2960X-48TS-L', manufacturer: 'Cisco' } });
    try {
      const sw = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
      await t.http().put(`/api/v1/devices/${sw.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: twin.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 }).expect(200);
      const state = await until('the chassis problem in the state', async () => {
        const s = (await t.http().get(`/api/v1/devices/${sw.id}/poll-state`)).body;
        return s.chassisProblem && s;
      });
      expect(state.chassisProblem).toBe('serialNumber: another device already has serial number FDO2231X0AB (the device says "FDO2231X0AB")');
      expect((await t.http().get(`/api/v1/devices/${sw.id}`)).body).toMatchObject({ serialNumber: null, model: 'WS-C2960X-48TS-L', manufacturer: 'Cisco' });
      // Kept with the latest poll: it is there for a poller that starts again.
      await until('written', async () => (await t.ds.query(`SELECT chassis_problem FROM device_poll_state WHERE device_id = $1`, [sw.id]))[0]?.chassis_problem === state.chassisProblem);

      // The admin mends it (the first switch's serial was a typo) and the profile is saved again:
      // the next fill succeeds and the problem goes.
      await t.http().patch(`/api/v1/devices/${router.id}`).send({ serialNumber: 'FDO2231X0AC' }).expect(200);
      await t.http().put(`/api/v1/devices/${sw.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: twin.port, intervalSeconds: 2, timeoutMs: 300, retries: 0 }).expect(200);
      await until('the serial filled and the problem gone', async () => {
        const [d, s] = [(await t.http().get(`/api/v1/devices/${sw.id}`)).body, (await t.http().get(`/api/v1/devices/${sw.id}/poll-state`)).body];
        return d.serialNumber === 'FDO2231X0AB' && s.chassisProblem === null;
      });
      await t.http().delete(`/api/v1/devices/${sw.id}/snmp`).expect(204);
      await t.http().delete(`/api/v1/devices/${sw.id}`).expect(204);
      await t.http().patch(`/api/v1/devices/${router.id}`).send({ serialNumber: 'FDO2231X0AB' }).expect(200);
    } finally {
      await twin.stop();
    }
  });

  it('lists the interfaces, and records those that appear, disappear, are renamed or renumbered; a WAN link follows its interface by name', async () => {
    const sw = await SimulatedDevice.start({
      communities: [COMMUNITY],
      sysName: 'dist-sw.nhonchau',
      interfaces: [
        { ifIndex: 1, up: true, speedMbps: 1000, name: 'Gi0/1', alias: 'WAN VNPT' },
        { ifIndex: 2, up: false, speedMbps: 1000, name: 'Gi0/2', adminDown: true },
        { ifIndex: 24, up: true, speedMbps: 0, name: 'Vlan24', type: 136 },
      ],
    });
    try {
      const device = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1', serialNumber: 'SW-IF-1' }).expect(201)).body;
      const link = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, deviceId: device.id, ifIndex: 1, commissionedOn: '2024-01-01' }).expect(201)).body;
      const profile = (timeoutMs: number) => t.http().put(`/api/v1/devices/${device.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: sw.port, intervalSeconds: 1, timeoutMs, retries: 0 }).expect(200);
      const list = async (gone = false) => (await t.http().get(`/api/v1/devices/${device.id}/interfaces`).query(gone ? { gone: 'true' } : {}).expect(200)).body.items as Array<Record<string, unknown>>;
      const events = async () =>
        ((await t.http().get(`/api/v1/devices/${device.id}/interface-events`).expect(200)).body.items as Array<{ kind: string; ifIndex: number; name: string; previous: string | null }>).map((e) => [e.kind, e.name, e.ifIndex, e.previous]);

      await profile(300);
      const first = await until('the first listing', async () => {
        const l = await list();
        return l.length === 3 && l;
      });
      expect(first.map((i) => [i.ifIndex, i.name, i.alias, i.type, i.speedMbps, i.adminStatus, i.operStatus])).toEqual([
        [1, 'Gi0/1', 'WAN VNPT', 'ethernetCsmacd', 1000, 'up', 'up'],
        [2, 'Gi0/2', null, 'ethernetCsmacd', 1000, 'down', 'down'],
        [24, 'Vlan24', null, 'l3ipvlan', 0, 'up', 'up'],
      ]);
      // A device's first listing is not a change. The link bound by ifIndex takes the name listed there.
      expect(await events()).toEqual([]);
      await until('the link named', async () => (await t.http().get(`/api/v1/wan-links/${link.id}`).expect(200)).body.interfaceName === 'Gi0/1');

      // A reboot renumbers: Gi0/1 is now 3, and a new module's port took 1. The profile saved again reads the list at once.
      sw.setInterfaces([
        { ifIndex: 1, up: true, speedMbps: 10_000, name: 'Te1/1' },
        { ifIndex: 2, up: false, speedMbps: 1000, name: 'Gi0/2', adminDown: true },
        { ifIndex: 3, up: true, speedMbps: 1000, name: 'Gi0/1', alias: 'WAN VNPT' },
        { ifIndex: 24, up: true, speedMbps: 0, name: 'Vlan24', type: 136 },
      ]);
      await profile(301);
      await until('the renumbering seen', async () => (await events()).length === 2);
      expect((await events()).sort()).toEqual([
        ['appeared', 'Te1/1', 1, null],
        ['renumbered', 'Gi0/1', 3, '1'],
      ]);
      // The link stays on the interface the admin named, moved by the poller through the inventory (audited).
      const moved = (await t.http().get(`/api/v1/wan-links/${link.id}`).expect(200)).body;
      expect(moved.ifIndex).toBe(3);
      const audit = (await t.http().get('/api/v1/audit').query({ entityId: link.id })).body.items.find((e: { after: { ifIndex: number } }) => e.after?.ifIndex === 3);
      expect(audit).toMatchObject({ source: 'poller', before: expect.objectContaining({ ifIndex: 1, interfaceName: 'Gi0/1' }), after: expect.objectContaining({ ifIndex: 3, interfaceName: 'Gi0/1' }) });
      // Admins name the interface; the ifIndex is found from the list. A name the device does not list is refused, naming what it lists.
      const byName = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'internet', medium: 'fibre', bandwidthMbps: 300, deviceId: device.id, interfaceName: 'Te1/1', commissionedOn: '2024-01-01' }).expect(201)).body;
      expect(byName).toMatchObject({ interfaceName: 'Te1/1', ifIndex: 1 });
      const unknown = await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'internet', medium: 'fibre', deviceId: device.id, interfaceName: 'Gi9/9', commissionedOn: '2024-01-01' }).expect(400);
      expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'interfaceName', message: 'the device lists no interface named Gi9/9 (it lists Te1/1, Gi0/2, Gi0/1, Vlan24)' })]);
      const disagree = await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'internet', medium: 'fibre', deviceId: device.id, interfaceName: 'Te1/1', ifIndex: 2, commissionedOn: '2024-01-01' }).expect(400);
      expect(disagree.body.errors).toEqual([expect.objectContaining({ field: 'ifIndex', message: 'Te1/1 is ifIndex 1 on this device, not 2' })]);
      await t.http().delete(`/api/v1/wan-links/${byName.id}`).expect(204);

      // Vlan24 deleted, Gi0/2 renamed in place.
      sw.setInterfaces([
        { ifIndex: 1, up: true, speedMbps: 10_000, name: 'Te1/1' },
        { ifIndex: 2, up: true, speedMbps: 1000, name: 'Gi0/2-camera' },
        { ifIndex: 3, up: true, speedMbps: 1000, name: 'Gi0/1', alias: 'WAN VNPT' },
      ]);
      await profile(300);
      await until('the rename seen', async () => (await events()).length === 4);
      expect((await events()).slice(0, 2).sort()).toEqual([
        ['disappeared', 'Vlan24', 24, null],
        ['renamed', 'Gi0/2-camera', 2, 'Gi0/2'],
      ]);
      expect((await list()).map((i) => [i.ifIndex, i.name, i.operStatus])).toEqual([
        [1, 'Te1/1', 'up'],
        [2, 'Gi0/2-camera', 'up'],
        [3, 'Gi0/1', 'up'],
      ]);
      const bad = await t.http().get(`/api/v1/devices/${device.id}/interfaces`).query({ gone: 'maybe' }).set('Accept-Language', 'vi').expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'gone', message: 'gone phải là true hoặc false' })]);
      const withGone = await list(true);
      expect(withGone.find((i) => i.name === 'Vlan24')).toMatchObject({ ifIndex: 24, goneAt: expect.any(String) });

      // The camera port marked monitored: polled with the device, and its going down an outage of it.
      const camera = (await list()).find((i) => i.name === 'Gi0/2-camera')!;
      const marked = await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${camera.id}`).send({ monitored: true }).expect(200);
      expect(marked.body).toMatchObject({ name: 'Gi0/2-camera', monitored: true });
      await until('the camera port polled', async () => (await t.http().get(`/api/v1/devices/${device.id}/poll-state`)).body.interfaces?.['2']?.operStatus === 1);
      sw.setInterface(2, false);
      const outage = await until('the camera port outage', async () => {
        const items: Array<{ cause: string; ifIndex: number | null; wanLinkId: string | null; endedAt: string | null; detail: string }> = (
          await t.http().get(`/api/v1/devices/${device.id}/outages`).query({ from: new Date(Date.now() - 600_000).toISOString() })
        ).body.items;
        return items.find((o) => o.cause === 'interface_down');
      });
      expect(outage).toMatchObject({ ifIndex: 2, wanLinkId: null, endedAt: null, detail: 'ifOperStatus 2 (down)' });
      sw.setInterface(2, true);
      await until('the camera port back', async () => {
        const items: Array<{ cause: string; endedAt: string | null }> = (await t.http().get(`/api/v1/devices/${device.id}/outages`).query({ from: new Date(Date.now() - 600_000).toISOString() })).body.items;
        return items.some((o) => o.cause === 'interface_down' && o.endedAt !== null);
      });
      // Marking it again writes nothing; who marked it is in the audit log.
      await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${camera.id}`).send({ monitored: true }).expect(200);
      const marks = (await t.http().get('/api/v1/audit').query({ entityId: camera.id })).body.items;
      expect(marks.map((e: { action: string; after: { monitored: boolean } }) => [e.action, e.after.monitored])).toEqual([['update', true]]);
      // A gone interface cannot be monitored; bad input is named; another device's interface does not exist here.
      const vlan = withGone.find((i) => i.name === 'Vlan24')!;
      const gone = await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${vlan.id}`).send({ monitored: true }).expect(400);
      expect(gone.body.errors[0].message).toMatch(/^Vlan24 left the device's interface list on .*: it cannot be polled$/);
      const badBody = await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${camera.id}`).send({ monitored: 'yes' }).expect(400);
      expect(badBody.body.errors).toEqual([expect.objectContaining({ field: 'monitored' })]);
      await t.http().patch(`/api/v1/devices/${router.id}/interfaces/${camera.id}`).send({ monitored: false }).expect(404);
      await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${camera.id}`).send({ monitored: false }).expect(200);
      await t.http().delete(`/api/v1/devices/${device.id}/snmp`).expect(204);
    } finally {
      await sw.stop();
    }
  });

  it("writes many devices' interface listings in one batch: first lists, a renumbering, an unchanged list; a device deleted meanwhile fails alone", async () => {
    const store = t.app.get(PollingStore);
    const mk = async (name: string) => (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', name, status: 'active', commissionedOn: '2024-01-01' }).expect(201)).body.id as string;
    const [a, b, c, gone] = [await mk('batch-a'), await mk('batch-b'), await mk('batch-c'), await mk('batch-gone')];
    const row = (ifIndex: number, name: string) => ({ ifIndex, name, alias: null, descr: null, type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'up', operStatus: 'up' });
    const at = new Date();
    await store.saveInterfacesMany([
      { deviceId: b, listing: [row(1, 'Gi0/1'), row(2, 'Gi0/2')], at },
      { deviceId: c, listing: [row(1, 'Gi0/1')], at },
    ]);
    const later = new Date(at.getTime() + 60_000);
    const plans = await store.saveInterfacesMany([
      { deviceId: a, listing: [row(1, 'Gi0/1'), row(2, 'Gi0/2'), row(3, 'Gi0/3')], at: later },
      { deviceId: b, listing: [row(3, 'Gi0/1'), row(2, 'Gi0/2')], at: later },
      { deviceId: c, listing: [row(1, 'Gi0/1')], at: later },
    ]);
    expect([plans.get(a)!.inserts.length, plans.get(b)!.changes.map((x) => `${x.kind} ${x.name} ${x.previous}`), plans.get(c)!.unchanged]).toEqual([3, ['renumbered Gi0/1 1'], true]);
    const names = async (id: string) => (await t.http().get(`/api/v1/devices/${id}/interfaces`).expect(200)).body.items.map((i: { ifIndex: number; name: string }) => `${i.ifIndex} ${i.name}`);
    expect(await names(a)).toEqual(['1 Gi0/1', '2 Gi0/2', '3 Gi0/3']);
    expect(await names(b)).toEqual(['2 Gi0/2', '3 Gi0/1']);
    const events = (await t.http().get(`/api/v1/devices/${b}/interface-events`).expect(200)).body.items;
    expect(events.map((e: { kind: string; name: string; at: string }) => [e.kind, e.name, e.at])).toEqual([['renumbered', 'Gi0/1', later.toISOString()]]);
    // Through the poller's writer: a device deleted while its listing waited fails alone; the others are written.
    const writer = new ListingWriter(store);
    await t.http().delete(`/api/v1/devices/${gone}`).expect(204);
    const results = await Promise.allSettled([writer.saveInterfaces(gone, [row(1, 'Gi0/1')], later), writer.saveInterfaces(c, [row(1, 'Gi0/1'), row(5, 'Gi0/5')], later)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect(await names(c)).toEqual(['1 Gi0/1', '5 Gi0/5']);
    for (const id of [a, b, c]) await t.http().delete(`/api/v1/devices/${id}`).expect(204);
  });

  it("reports a link's traffic from its octet counters, without writing a row per poll", async () => {
    const polled = async (inOctets: string) =>
      until(`a poll reading ${inOctets} octets in`, async () => {
        const s = (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body;
        return s.interfaces?.[2]?.inOctets === inOctets && s.interfaces[2];
      });
    const base = 5_000_000_000_000n; // past 2^32: only the 64-bit counters hold it
    sim.setCounters(2, base, base * 2n);
    await polled(String(base));
    const row = async () => (await t.ds.query(`SELECT polled_at FROM device_poll_state WHERE device_id = $1`, [router.id]))[0];
    // The first poll's row is written within a second (the poller flushes once a second).
    const before = await until('the latest-poll row', row);
    // 1,250,000 octets in and 12,500,000 out between two polls: 10 and 100 Mbit over one second.
    sim.setCounters(2, base + 1_250_000n, base * 2n + 12_500_000n);
    const i = await polled(String(base + 1_250_000n));
    expect(i.outOctets).toBe(String(base * 2n + 12_500_000n));
    expect(i.rateSeconds).toBeGreaterThan(0.5);
    expect(i.rateSeconds).toBeLessThan(2.5);
    expect(Math.abs((i.inBps * i.rateSeconds) / 10_000_000 - 1)).toBeLessThan(0.01);
    expect(Math.abs((i.outBps * i.rateSeconds) / 100_000_000 - 1)).toBeLessThan(0.01);
    // The counters moved, the state did not: the latest-poll row was not written again.
    await sleep(1200);
    expect((await row()).polled_at).toEqual(before.polled_at);
  });

  it('records an outage, a reboot and an interface going down, each within one poll interval of the truth', async () => {
    const T0 = Date.now();
    sim.goDown();
    const down = await until('the device down', async () => {
      const s = (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body;
      return s.state === 'down' && s;
    });
    expect(down.lastFailure).toBe('timeout');
    await sleep(1500);
    const T1 = Date.now();
    sim.comeBack({ rebooted: true });
    await until('the device back', async () => (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body.state === 'up');
    const T2 = Date.now();
    sim.setInterface(2, false);
    await until('the interface outage', async () => (await t.http().get(`/api/v1/devices/${router.id}/outages`).query({ from: new Date(T0 - 60_000).toISOString() })).body.items.some((o: { cause: string }) => o.cause === 'interface_down'));
    await sleep(1000);
    const T3 = Date.now();
    sim.setInterface(2, true);
    const outages = await until('the interface back', async () => {
      const items = (await t.http().get(`/api/v1/devices/${router.id}/outages`).query({ from: new Date(T0 - 60_000).toISOString() })).body.items;
      return items.every((o: { endedAt: string | null }) => o.endedAt) && items;
    });
    expect(outages.map((o: { cause: string }) => o.cause)).toEqual(['interface_down', 'rebooted']);
    const [iface, reboot] = outages;
    const interval = 1000;
    const slack = 300 + 250; // the poll's timeout, and the flush
    // An outage is stamped with the send time of the poll that saw the change; that poll may have
    // left up to its timeout (300 ms) before the change and met it on the way.
    const early = 300;
    // Down at T0: first failed poll within one interval (plus the timeout it waited).
    expect(ms(reboot.startedAt)).toBeGreaterThanOrEqual(T0 - early);
    expect(ms(reboot.startedAt)).toBeLessThanOrEqual(T0 + interval + slack);
    // Back at T1, rebooted: the end is the boot moment the uptime gives, to the tick.
    expect(Math.abs(ms(reboot.endedAt) - T1)).toBeLessThanOrEqual(interval);
    expect(iface).toMatchObject({ ifIndex: 2, wanLinkId: linkId, detail: 'ifOperStatus 2 (down)' });
    expect(ms(iface.startedAt)).toBeGreaterThanOrEqual(T2 - early);
    expect(ms(iface.startedAt)).toBeLessThanOrEqual(T2 + interval + slack);
    expect(ms(iface.endedAt)).toBeGreaterThanOrEqual(T3 - early);
    expect(ms(iface.endedAt)).toBeLessThanOrEqual(T3 + interval + slack);

    // Availability over the same time adds up: down is the reboot outage, the rest is up or unknown.
    const from = new Date(T0 - 5000).toISOString();
    const a = (await t.http().get(`/api/v1/devices/${router.id}/availability`).query({ from }).expect(200)).body;
    const rebootSeconds = (ms(reboot.endedAt) - ms(reboot.startedAt)) / 1000;
    expect(a.downSeconds).toBeCloseTo(rebootSeconds, 2);
    expect(a.upSeconds + a.downSeconds + a.unknownSeconds).toBeCloseTo((ms(a.to) - ms(a.from)) / 1000, 2);
    const [span] = await t.ds.query(`SELECT started_at FROM device_monitoring WHERE device_id = $1`, [router.id]);
    expect(a.unknownSeconds).toBeCloseTo(Math.max(0, (new Date(span.started_at).getTime() - ms(from)) / 1000), 2);
  });

  it('calls garbage a failed poll, not an outage', async () => {
    const before = (await t.http().get(`/api/v1/devices/${router.id}/outages`).query({ from: '2020-01-01T00:00:00Z' })).body.total;
    sim.answerGarbage();
    const s = await until('the garbage seen', async () => {
      const b = (await t.http().get(`/api/v1/devices/${router.id}/poll-state`)).body;
      return b.lastFailure === 'malformed' && b;
    });
    sim.answerGarbage(false);
    expect(s.state).toBe('up');
    expect((await t.http().get(`/api/v1/devices/${router.id}/outages`).query({ from: '2020-01-01T00:00:00Z' })).body.total).toBe(before);
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/hatang_poll_failures_total\{reason="malformed"\} [1-9]/);
    expect(metrics).toMatch(/hatang_polls_total\{result="ok"\} [1-9]/);
  });

  it('polls Debian snmpd with SNMPv3 authPriv (SHA-256, AES)', async () => {
    const box = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'server', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1', serialNumber: 'SRV-1' }).expect(201)).body;
    const u = SNMPD.privUser;
    await t.http().put(`/api/v1/devices/${box.id}/snmp`).send({ version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: u.privKey, port: snmpd.port, intervalSeconds: 1 }).expect(200);
    const s = await until('snmpd polled', async () => {
      const b = (await t.http().get(`/api/v1/devices/${box.id}/poll-state`)).body;
      return b.state === 'up' && b;
    });
    expect(s).toMatchObject({ sysName: SNMPD.sysName, sysLocation: SNMPD.sysLocation, sysContact: SNMPD.sysContact, lastFailure: null });
    // Found by where it says it is and who looks after it, spelt as people type (no marks, any case).
    const found = async (q: string) => ((await t.http().get('/api/v1/devices').query({ q }).expect(200)).body.items as Array<{ id: string }>).map((d) => d.id);
    // (the poller writes what changed in batches: the row follows the state above within a moment)
    // (the poller writes what changed in batches: the row follows the state above within a moment;
    // the server of the test before polled the same snmpd, and says the same)
    expect(await until('the poll state written', async () => (await found('phong may chu, tang 2')).includes(box.id))).toBe(true);
    expect(await found('NGUYEN VAN HOA')).toContain(box.id);
    expect(await found('SRV-1')).toEqual([box.id]);
    expect(await found('tầng 3')).toEqual([]);
    // Keeping the stored keys while changing the interval.
    const p = (await t.http().put(`/api/v1/devices/${box.id}/snmp`).send({ version: '3', intervalSeconds: 2 }).expect(200)).body;
    expect(p).toMatchObject({ securityLevel: 'authPriv', hasAuthKey: true, hasPrivKey: true, intervalSeconds: 2 });
  });

  it('writes the slots in progress as partial points when a poller stops, and the next one adds its share to the same point', async () => {
    const store = t.app.get(PollingStore);
    const device = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name: 'r-stopping', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    // A group of its own, polled only by the pollers this test starts and stops.
    await t.http().put(`/api/v1/devices/${device.id}/snmp`).send({ version: '2c', community: COMMUNITY, port: sim.port, intervalSeconds: 3600, pollerGroup: 'stopping' }).expect(200);
    await store.saveInterfaces(device.id, [{ ifIndex: 2, name: 'port2', alias: null, descr: null, type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'up', operStatus: 'up' }], new Date());
    const iface = (await t.http().get(`/api/v1/devices/${device.id}/interfaces`).expect(200)).body.items[0];
    await t.http().patch(`/api/v1/devices/${device.id}/interfaces/${iface.id}`).send({ monitored: true }).expect(200);
    // Both runs in one 5-minute slot.
    if (Date.now() % 300_000 > 290_000) await sleep(300_000 - (Date.now() % 300_000) + 100);
    let octets = 10n ** 12n;
    const run = async () => {
      const poller = new Poller(store, new PollingMetrics(), { group: 'stopping', sockets: 1, maxInFlight: 10 });
      await poller.reload(true);
      sim.setCounters(2, octets, octets);
      await poller.pollDevice(device.id);
      // 1,250,000 octets each way in about a second: 10 Mbit/s.
      await sleep(1000);
      octets += 1_250_000n;
      sim.setCounters(2, octets, octets);
      await poller.pollDevice(device.id);
      await poller.stop();
    };
    const points = async () => (await t.ds.query(`SELECT at, in_bps AS "inBps", seconds FROM traffic_5m WHERE interface_id = $1`, [iface.id])) as Array<{ at: Date; inBps: number; seconds: number }>;
    // The first poll also walks the interfaces and ENTITY-MIB: the two polls are 1 s apart or a little more.
    await run();
    const first = await points();
    expect(first).toHaveLength(1);
    expect(first[0].seconds).toBeGreaterThanOrEqual(1);
    expect(first[0].seconds).toBeLessThanOrEqual(4);
    expect(first[0].inBps).toBeGreaterThan(2_000_000);
    expect(first[0].inBps).toBeLessThanOrEqual(10_100_000);
    await run();
    const merged = await points();
    expect(merged).toHaveLength(1);
    expect(merged[0].at).toEqual(first[0].at);
    expect(merged[0].seconds).toBeGreaterThanOrEqual(first[0].seconds + 1);
    expect(Math.abs(merged[0].inBps / first[0].inBps - 1)).toBeLessThan(0.4);
    await t.http().delete(`/api/v1/devices/${device.id}`).expect(204);
  });
});

describe.each(ENGINES)('availability on a scripted timeline on %s', (engine) => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('counts up, down, unknown and maintenance to the second', async () => {
    t = await startApp(engine, { POLLER_IN_PROCESS: 'false' });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'TTDL', name: 'Trung tâm dữ liệu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    const dev = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'server', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1', dataCentre: 'TTDL tỉnh' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${dev.id}/snmp`).send({ version: '2c', community: 'public' }).expect(200);
    const T0 = Date.parse('2026-06-01T00:00:00Z');
    const at = (s: number) => new Date(T0 + s * 1000);
    // Watched from 100 s; the first poller crashed after its beat at 400 s; the next ran 450–1000 s.
    await t.ds.query(`INSERT INTO device_monitoring (device_id, started_at) VALUES ($1, $2)`, [dev.id, at(100)]);
    await t.ds.query(`INSERT INTO poller_run (poller_group, host, started_at, last_beat_at) VALUES ('default', 'a', $1, $2)`, [at(0), at(400)]);
    await t.ds.query(`INSERT INTO poller_run (poller_group, host, started_at, last_beat_at, stopped_at) VALUES ('default', 'b', $1, $2, $2)`, [at(450), at(1000)]);
    await t.ds.query(
      `INSERT INTO outage (device_id, cause, started_at, ended_at) VALUES ($1, 'unreachable', $2, $3), ($1, 'rebooted', $4, $5), ($1, 'interface_down', $6, $7), ($1, 'unreachable', $8, NULL)`,
      [dev.id, at(200), at(260), at(500), at(530), at(600), at(700), at(900)],
    );
    // Maintenance for the whole agency, 250–300 s: it overlaps the first outage by 10 s.
    const mw = (await t.http().post('/api/v1/maintenance-windows').send({ agencyId, startsAt: at(250).toISOString(), endsAt: at(300).toISOString(), reason: 'Thay UPS' }).expect(201)).body;
    const audited = (await t.http().get('/api/v1/audit').query({ entityType: 'maintenance_window' }).expect(200)).body.items;
    expect(audited.map((e: { action: string; entityId: string }) => [e.action, e.entityId])).toEqual([['create', mw.id]]);
    await t.http().post('/api/v1/maintenance-windows').send({ agencyId, deviceId: dev.id, startsAt: at(1).toISOString(), endsAt: at(2).toISOString(), reason: 'x' }).expect(400);

    const report = await t.app.get(AvailabilityService).forDevices([dev.id], at(0), at(1000), at(1000));
    // window 1000 − maintenance 50 = 950; down = 50 (200–250) + 30 (500–530) + 100 (900–1000, still open) = 180;
    // unknown = 0–100 (not yet watched) + 400–450 (no poller) = 150; up = 950 − 180 − 150 = 620.
    expect(report.devices[0]).toEqual({ deviceId: dev.id, upSeconds: 620, downSeconds: 180, unknownSeconds: 150, maintenanceSeconds: 50, availabilityPercent: 77.5 });
    expect(report.total).toMatchObject({ upSeconds: 620, downSeconds: 180 });

    const api = await t.http().get('/api/v1/availability').query({ dataCentre: 'TTDL tỉnh', from: at(0).toISOString(), to: at(1000).toISOString() }).expect(200);
    expect(api.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([dev.id]);
    const bad = await t.http().get('/api/v1/availability').query({ from: 'yesterday' }).expect(400);
    expect(bad.body.errors[0].field).toBe('from');

    // The plan's "data centre 24/7" target reads the same ledger: a second server, watched 450–1000 s
    // with no outage, is available 100%; the first, with an outage still open, is not.
    const steady = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'server', status: 'active', commissionedOn: '2024-01-01', name: 'db-01', dataCentre: 'TTDL tỉnh' }).expect(201)).body;
    await t.ds.query(`INSERT INTO device_monitoring (device_id, started_at) VALUES ($1, $2)`, [steady.id, at(0)]);
    const province = (await t.http().get('/api/v1/administrative-units').query({ code: '52' })).body.items[0];
    const plan = (
      await t.http().post('/api/v1/plans').send({ administrativeUnitId: province.id, titleVi: 'Kế hoạch CNTT 2026', periodFrom: 2026, periodTo: 2026, targets: [{ indicator: 'data_centre_availability', year: 2026, value: 100, wordingVi: 'Trung tâm dữ liệu vận hành 24/7' }] }).expect(201)
    ).body;
    const [target] = (await t.http().get(`/api/v1/plans/${plan.id}/coverage`).query({ year: 2026, missingLimit: 10 }).expect(200)).body.targets;
    expect(target).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    expect(target.missing.items.map((m: { reasons: Array<{ en: string }> }) => m.reasons.map((r) => r.en))).toEqual([['availability below 99.9%']]);
  });
});
