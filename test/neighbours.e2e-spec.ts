import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { until } from './support/wait';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const COMMUNITY = 'lldp-test-5521';

/**
 * LLDP on loopback: a district core switch and a commune router that hear each other (the core
 * gives the router's management address, the router only the core's name), and a neighbour that
 * is not registered.
 */
describe.each(ENGINES)('LLDP neighbours on %s', (engine) => {
  let t: TestApp;
  let core: SimulatedDevice;
  let router: SimulatedDevice;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    core = await SimulatedDevice.start({
      address: '127.0.0.21',
      communities: [COMMUNITY],
      sysName: 'core.phucat',
      neighbours: [
        { localPortNum: 1, localPort: 'Gi1/0/1', chassisId: '00:1b:2c:00:00:99', sysName: 'ap-lobby', portId: 'eth0' },
        { localPortNum: 24, localPort: 'Gi1/0/24', chassisId: '00:1b:2c:00:00:22', sysName: 'r-nhonchau', portId: 'Gi0/1', portDescr: 'uplink', managementAddress: '127.0.0.22' },
      ],
    });
    router = await SimulatedDevice.start({
      address: '127.0.0.22',
      communities: [COMMUNITY],
      sysName: 'r-nhonchau',
      neighbours: [{ localPortNum: 1, localPort: 'Gi0/1', chassisId: '00:1b:2c:00:00:21', sysName: 'CORE.phucat', portId: 'Gi1/0/24' }],
    });
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    ids.commune = commune.id;
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    const device = async (name: string, address: string, port: number) => {
      const id = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'switch', name, status: 'active', commissionedOn: '2024-01-01', managementAddress: address }).expect(201)).body.id;
      await t.http().put(`/api/v1/devices/${id}/snmp`).send({ version: '2c', community: COMMUNITY, port, intervalSeconds: 1, timeoutMs: 500 }).expect(200);
      return id;
    };
    ids.core = await device('core.phucat', '127.0.0.21', core.port);
    ids.router = await device('Router Nhơn Châu', '127.0.0.22', router.port);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await core?.stop();
    await router?.stop();
  });

  const neighbours = async (id: string) => (await t.http().get(`/api/v1/devices/${id}/neighbours`).expect(200)).body.items;

  it("keeps what each device hears, matched to the registered device by management address, else by sysName", async () => {
    const heard = await until('the core switch\'s neighbours', async () => {
      const items = await neighbours(ids.core);
      return items.length === 2 ? items : null;
    });
    expect(heard.map((n: { localPort: string; sysName: string; portId: string; chassisId: string; managementAddress: string | null; match: unknown }) => [n.localPort, n.sysName, n.portId, n.chassisId, n.managementAddress, n.match])).toEqual([
      ['Gi1/0/1', 'ap-lobby', 'eth0', '00:1b:2c:00:00:99', null, null],
      ['Gi1/0/24', 'r-nhonchau', 'Gi0/1', '00:1b:2c:00:00:22', '127.0.0.22', { deviceId: ids.router, name: 'Router Nhơn Châu', by: 'managementAddress' }],
    ]);
    const back = await until("the router's neighbour", async () => {
      const items = await neighbours(ids.router);
      return items.length === 1 ? items : null;
    });
    expect(back[0]).toMatchObject({ localPort: 'Gi0/1', sysName: 'CORE.phucat', portId: 'Gi1/0/24', match: { deviceId: ids.core, name: 'core.phucat', by: 'sysName' } });
  });

  it('proposes one link for the cable both ends hear, and none for an unregistered neighbour', async () => {
    const links = (await t.http().get('/api/v1/neighbour-links').expect(200)).body.items;
    expect(links).toHaveLength(1);
    // Which end is a follows the devices' names; the cable is the same either way.
    const ends = [links[0].a, links[0].b].sort((x, y) => (x.name < y.name ? -1 : 1));
    expect(ends).toEqual([
      { deviceId: ids.router, name: 'Router Nhơn Châu', port: 'Gi0/1' },
      { deviceId: ids.core, name: 'core.phucat', port: 'Gi1/0/24' },
    ]);
    expect(links[0].heardBy).toBe('both');
  });

  it("shows another area's admin neither the devices' neighbours nor the link", async () => {
    const elsewhere = (await t.http().get('/api/v1/administrative-units').query({ level: 'commune', limit: 5 })).body.items.find((u: { id: string }) => u.id !== ids.commune);
    const outsider = t.as(await t.token({ role: 'network_admin', administrativeUnitId: elsewhere.id }));
    await outsider.get(`/api/v1/devices/${ids.core}/neighbours`).expect(404);
    expect((await outsider.get('/api/v1/neighbour-links').expect(200)).body.items).toEqual([]);
  });
});
