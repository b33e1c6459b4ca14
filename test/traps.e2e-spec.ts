import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as snmp from 'net-snmp';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';
import { freeUdpPort } from './support/snmpd';
import { until } from './support/wait';

const run = promisify(execFile);
const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const V3 = { name: 'traptest', authProtocol: 'sha' as const, authKey: 'authpass123', privProtocol: 'aes' as const, privKey: 'privpass123' };

/** Debian's snmptrap (net-snmp's command-line tools). */
async function snmptrap(args: string[]): Promise<void> {
  await run('snmptrap', ['-M', '/nonexistent', '-m', '', ...args], { env: { ...process.env, MIBS: '' } });
}

/** net-snmp's (the npm package's) trap sender, from a source address of our choosing. */
async function sendTrap(port: number, community: string, trapOid: string, sourceAddress = '127.0.0.1', varbinds: snmp.Varbind[] = []): Promise<void> {
  const session = snmp.createSession('127.0.0.1', community, { trapPort: port, version: snmp.Version2c, sourceAddress } as snmp.SessionOptions);
  await new Promise<void>((resolve, reject) => session.trap(trapOid, varbinds, (error: Error | null) => (error ? reject(error) : resolve())));
  session.close();
}

/**
 * The trap listener, on a UDP port of 127.0.0.1: traps from registered devices with their own
 * credentials are kept and make the device be polled at once; the rest are counted and dropped.
 */
describe.each(ENGINES)('SNMP traps on %s', (engine) => {
  let t: TestApp;
  let port: number;
  let router: SimulatedDevice;
  let server: SimulatedDevice;
  let routerId: string;
  let serverId: string;

  beforeAll(async () => {
    port = await freeUdpPort();
    router = await SimulatedDevice.start({ communities: ['public'], sysName: 'router-traps', interfaces: [{ ifIndex: 2, up: true, speedMbps: 100 }] });
    server = await SimulatedDevice.start({ users: [V3], sysName: 'server-v3' });
    t = await startApp(engine, { TRAP_PORT: String(port), TRAP_HOST: '127.0.0.1', ALERTS_EVALUATE_SECONDS: '3600' });
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    const add = async (name: string, kind: string) => (await t.http().post('/api/v1/devices').send({ agencyId, kind, name, status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body.id as string;
    routerId = await add('Router nhận trap', 'router');
    serverId = await add('Máy chủ v3', 'server');
    await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', deviceId: routerId, ifIndex: 2, commissionedOn: '2024-01-01' }).expect(201);
    // Polled once an hour: only a trap makes them be polled within the test.
    await t.http().put(`/api/v1/devices/${routerId}/snmp`).send({ version: '2c', community: 'public', port: router.port, intervalSeconds: 3600, timeoutMs: 500, retries: 0 }).expect(200);
    await t.http().put(`/api/v1/devices/${serverId}/snmp`).send({ version: '3', user: V3.name, authProtocol: 'sha', authKey: V3.authKey, privProtocol: 'aes', privKey: V3.privKey, port: server.port, intervalSeconds: 3600, timeoutMs: 500, retries: 0 }).expect(200);
    await until('the listener to know the devices', async () => (await t.http().get('/api/v1/alerts/status')).body.traps.listening === true);
  });
  afterAll(async () => {
    await t?.close();
    await router?.stop();
    await server?.stop();
  });

  const traps = async (id: string) => (await t.http().get(`/api/v1/devices/${id}/traps`).expect(200)).body.items as Array<{ name: string; ifIndex: number | null; version: string; source: string }>;
  const counts = async () => (await t.http().get('/api/v1/alerts/status').expect(200)).body.traps as Record<string, number>;
  const openInterfaceOutages = async () => (await t.ds.query(`SELECT if_index FROM outage WHERE device_id = $1 AND cause = 'interface_down' AND ended_at IS NULL`, [routerId])).length as number;

  it('a linkDown from snmptrap (v2c) is kept and polls the router at once: the interface outage opens within seconds; linkUp closes it', async () => {
    router.setInterface(2, false);
    const sent = Date.now();
    await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.2', 'i', '2', '1.3.6.1.2.1.2.2.1.8.2', 'i', '2']);
    await until('the interface outage', async () => (await openInterfaceOutages()) === 1);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(await traps(routerId)).toEqual([expect.objectContaining({ name: 'linkDown', ifIndex: 2, version: '2c', source: '127.0.0.1' })]);

    router.setInterface(2, true);
    await snmptrap(['-v', '2c', '-c', 'public', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.4', '1.3.6.1.2.1.2.2.1.1.2', 'i', '2']);
    // One poll per device per 2 s after a trap: the linkUp's poll may wait that long.
    await until('the interface outage closed', async () => (await openInterfaceOutages()) === 0);
    expect((await traps(routerId)).map((x) => x.name)).toEqual(['linkUp', 'linkDown']);
    expect((await counts()).accepted).toBe(2);
  }, 30_000);

  it('a coldStart in SNMPv3 (authPriv) from snmptrap is kept for the v3 device and polls it', async () => {
    await snmptrap(['-v', '3', '-u', V3.name, '-l', 'authPriv', '-a', 'SHA', '-A', V3.authKey, '-x', 'AES', '-X', V3.privKey, '-e', '0x8000000001020304', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.1']);
    await until('the v3 trap', async () => (await traps(serverId)).length === 1);
    expect((await traps(serverId))[0]).toMatchObject({ name: 'coldStart', version: '3' });
    await until('the server polled', async () => (await t.http().get(`/api/v1/devices/${serverId}/poll-state`)).body.state === 'up');
  }, 30_000);

  it('counts and drops traps from unknown senders, with wrong credentials, or of other kinds; stores none of them', async () => {
    const before = await counts();
    const kept = (await traps(routerId)).length + (await traps(serverId)).length;
    // From 127.0.0.2, which is no device's address (net-snmp's sender, bound to it).
    await sendTrap(port, 'public', '1.3.6.1.6.3.1.1.5.3', '127.0.0.2');
    // A community no device has, and a v3 user with the wrong key.
    await snmptrap(['-v', '2c', '-c', 'guessed', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3']);
    await snmptrap(['-v', '3', '-u', V3.name, '-l', 'authPriv', '-a', 'SHA', '-A', 'wrongpass123', '-x', 'AES', '-X', V3.privKey, '-e', '0x8000000001020304', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.1']);
    // The right community, from the router's address, but an enterprise trap: not one Hatang keeps.
    await sendTrap(port, 'public', '1.3.6.1.4.1.9.9.41.2.0.1');
    const after = await until('the four counted', async () => {
      const c = await counts();
      return c.unknownSender + c.badCredentials + c.ignored - (before.unknownSender + before.badCredentials + before.ignored) === 4 && c;
    });
    expect(after.unknownSender - before.unknownSender).toBe(1);
    expect(after.badCredentials - before.badCredentials).toBe(2);
    expect(after.ignored - before.ignored).toBe(1);
    expect(after.accepted).toBe(before.accepted);
    expect((await traps(routerId)).length + (await traps(serverId)).length).toBe(kept);
    // The same counts for Prometheus.
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toContain(`hatang_traps_total{result="badCredentials"} ${after.badCredentials}`);
    expect(metrics).toContain(`hatang_traps_total{result="accepted"} ${after.accepted}`);
  }, 30_000);
});

/** apps/poller with TRAP_PORT: traps of its group's devices come to it, and it polls their sender at once. */
describe('SNMP traps at a stand-alone poller (apps/poller, PostgreSQL)', () => {
  const KEY = 'a-key-shared-by-the-api-and-the-poller';
  let t: TestApp;
  let router: SimulatedDevice;
  let poller: ChildProcess | undefined;

  beforeAll(async () => {
    router = await SimulatedDevice.start({ communities: ['district'], sysName: 'router-an-lao', interfaces: [{ ifIndex: 3, up: true, speedMbps: 100 }] });
    // The poller opens the SNMP secrets the API sealed: one SECRET_KEY for both.
    t = await startApp('postgres', { SECRET_KEY: KEY });
  });
  afterAll(async () => {
    if (poller && poller.exitCode === null) {
      const exited = new Promise((r) => poller!.once('exit', r));
      poller.kill('SIGTERM');
      await exited;
    }
    await t?.close();
    await router?.stop();
  });

  it('a linkDown to the district poller opens the interface outage within seconds', async () => {
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const district = (await t.http().get('/api/v1/administrative-units').query({ code: '542' })).body.items[0];
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-AL', name: 'UBND huyện An Lão', kind: 'district_committee', administrativeUnitId: district.id }).expect(201)).body.id;
    const id = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name: 'Router An Lão', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body.id;
    await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', deviceId: id, ifIndex: 3, commissionedOn: '2024-01-01' }).expect(201);
    await t.http().put(`/api/v1/devices/${id}/snmp`).send({ version: '2c', community: 'district', port: router.port, intervalSeconds: 3600, timeoutMs: 500, retries: 0, pollerGroup: 'an-lao' }).expect(200);
    const port = await freeUdpPort();
    const url = (t.ds.options as { url: string }).url;
    poller = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/poller/src/main.ts'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url, SECRET_KEY: KEY, POLLER_GROUP: 'an-lao', TRAP_PORT: String(port), TRAP_HOST: '127.0.0.1', LOG_LEVEL: 'log' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    poller.stdout!.on('data', (d) => (output += d));
    poller.stderr!.on('data', (d) => (output += d));
    await until('the poller listening for traps', async () => {
      if (poller!.exitCode !== null) throw new Error(`the poller exited (${poller!.exitCode})`);
      return output.includes(`listening for SNMP traps on 127.0.0.1:${port}/udp`);
    }, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${output}`);
    });
    router.setInterface(3, false);
    const sent = Date.now();
    await snmptrap(['-v', '2c', '-c', 'district', `127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3', '1.3.6.1.2.1.2.2.1.1.3', 'i', '3']);
    await until('the interface outage', async () => (await t.ds.query(`SELECT 1 FROM outage WHERE device_id = $1 AND cause = 'interface_down' AND if_index = 3 AND ended_at IS NULL`, [id])).length === 1);
    expect(Date.now() - sent).toBeLessThan(5000);
    expect((await t.http().get(`/api/v1/devices/${id}/traps`).expect(200)).body.items.map((x: { name: string }) => x.name)).toEqual(['linkDown']);
  }, 90_000);
});
