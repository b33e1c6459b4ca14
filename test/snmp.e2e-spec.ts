import * as dgram from 'node:dgram';
import { readdirSync, readlinkSync } from 'node:fs';
import { peekRequestId, readChassis, readDevice, readInterfaces, SnmpClient, SnmpError, type SnmpTarget, UdpSocketPool } from '@app/snmp';
import { SimulatedDevice } from './simulator/simulated-device';
import { type RunningSnmpd, SNMPD, startSnmpd } from './support/snmpd';

const v2c = (device: { address: string; port: number }, community = 'public', key = `${device.port}`): SnmpTarget => ({
  key,
  address: device.address,
  port: device.port,
  timeoutMs: 400,
  retries: 0,
  credentials: { version: '2c', community },
});

async function failure(promise: Promise<unknown>): Promise<SnmpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SnmpError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** A v2c GET message with a given request id; `tag` lets two messages with the same id differ. */
function v2cMessage(id: number, tag: string): Buffer {
  const pdu = Buffer.from([0x02, 0x04, ...int32(id), 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01, 0x04, 0x01, tag.charCodeAt(0), 0xa0, pdu.length]), pdu]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
function int32(n: number): number[] {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return [...b];
}

function udpSocketsOpen(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      /* closed meanwhile */
    }
  }
  return n;
}

describe('request ids', () => {
  it('reads the request id of v2c and v3 messages and refuses garbage', () => {
    expect(peekRequestId(v2cMessage(123456789, 'a'))).toBe(123456789);
    expect(peekRequestId(v2cMessage(-5, 'a'))).toBe(-5);
    // v3: SEQUENCE { INTEGER 3, SEQUENCE { INTEGER msgID 77, … } }
    expect(peekRequestId(Buffer.from([0x30, 0x0b, 0x02, 0x01, 0x03, 0x30, 0x06, 0x02, 0x01, 77, 0x02, 0x01, 0x00]))).toBe(77);
    expect(peekRequestId(Buffer.from('this is not an SNMP message'))).toBeUndefined();
    expect(peekRequestId(Buffer.from([0x30, 0x82]))).toBeUndefined();
  });
});

describe('shared socket pool', () => {
  let echo: dgram.Socket;
  let port: number;
  beforeAll(async () => {
    echo = dgram.createSocket('udp4');
    echo.on('message', (msg, rinfo) => echo.send(msg, rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
    port = echo.address().port;
  });
  afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

  it('sends two requests with the same id to the same agent on different sockets, and each gets its own answer', async () => {
    const pool = new UdpSocketPool({ sockets: 2 });
    const a = pool.dgramModule.createSocket('udp4');
    const b = pool.dgramModule.createSocket('udp4');
    const got: Record<string, string[]> = { a: [], b: [] };
    const answered = new Promise<void>((resolve) => {
      const check = () => got.a.length + got.b.length === 2 && resolve();
      a.on('message', ((msg: Buffer) => (got.a.push(String.fromCharCode(msg[7])), check())) as never);
      b.on('message', ((msg: Buffer) => (got.b.push(String.fromCharCode(msg[7])), check())) as never);
    });
    const sent = (v: typeof a, m: Buffer) => new Promise<void>((resolve, reject) => v.send(m, 0, m.length, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    await sent(a, v2cMessage(42, 'a'));
    await sent(b, v2cMessage(42, 'b'));
    await answered;
    expect(got).toEqual({ a: ['a'], b: ['b'] });
    expect(pool.stats()).toMatchObject({ sockets: 2, sent: 2, received: 2, unmatched: 0, routes: 0 });
    await pool.close();
  });

  it('does not hand a session an answer with its request id that comes from another agent', async () => {
    const pool = new UdpSocketPool({ sockets: 1 });
    const agent = dgram.createSocket('udp4');
    const impostor = dgram.createSocket('udp4');
    await Promise.all([agent, impostor].map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))));
    // The agent keeps quiet; the impostor answers the pool's socket with the same id.
    const asked = new Promise<dgram.RemoteInfo>((resolve) => agent.once('message', (_m, rinfo) => resolve(rinfo)));
    const v = pool.dgramModule.createSocket('udp4');
    const got: Buffer[] = [];
    v.on('message', ((msg: Buffer) => got.push(msg)) as never);
    const m = v2cMessage(99, 'x');
    v.send(m, 0, m.length, agent.address().port, '127.0.0.1');
    const from = await asked;
    impostor.send(v2cMessage(99, 'i'), from.port, '127.0.0.1');
    for (let i = 0; i < 50 && pool.stats().received === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats()).toMatchObject({ received: 1, unmatched: 1, routes: 1 });
    expect(got).toEqual([]);
    // The real agent's answer still gets through.
    agent.send(v2cMessage(99, 'a'), from.port, '127.0.0.1');
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got.map((b) => String.fromCharCode(b[7]))).toEqual(['a']);
    expect(pool.stats()).toMatchObject({ received: 2, unmatched: 1, routes: 0 });
    await pool.close();
    await Promise.all([agent, impostor].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('refuses a third request with the same id to the same agent when both sockets carry one', async () => {
    const pool = new UdpSocketPool({ sockets: 2 });
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const to = silent.address().port;
    const errors: Array<Error | null> = [];
    for (let i = 0; i < 3; i++) {
      const v = pool.dgramModule.createSocket('udp4');
      const m = v2cMessage(7, 'x');
      await new Promise<void>((resolve) => v.send(m, 0, m.length, to, '127.0.0.1', (e) => (errors.push(e), resolve())));
    }
    expect(errors.slice(0, 2)).toEqual([null, null]);
    expect(errors[2]?.message).toBe(`request id 7 to 127.0.0.1:${to} is in flight on every socket`);
    await pool.close();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
});

describe('SNMP client against the simulator', () => {
  let device: SimulatedDevice;
  let client: SnmpClient;
  beforeAll(async () => {
    device = await SimulatedDevice.start({
      communities: ['public'],
      sysName: 'r1.sotttt.example',
      interfaces: [
        { ifIndex: 3, up: true, speedMbps: 100 },
        { ifIndex: 4, up: false, speedMbps: 1000 },
      ],
      hostResources: true,
      chassis: { serialNumber: 'FGT60F0000001', model: 'FortiGate 60F', manufacturer: 'Fortinet' },
    });
    client = new SnmpClient({ sockets: 2 });
  });
  afterAll(async () => {
    await client.close();
    await device.stop();
  });

  it('reads the system group, the uptime and the interfaces that carry links', async () => {
    const reading = await readDevice(client, v2c(device), [3, 4, 99], true);
    expect(reading).toMatchObject({ sysName: 'r1.sotttt.example', sysDescr: 'Hatang simulated router', sysObjectID: '1.3.6.1.4.1.8072.3.2.10' });
    expect(reading.sysUpTimeTicks).toBeGreaterThanOrEqual(0);
    expect(reading.hrSystemUptimeTicks).toBeGreaterThanOrEqual(0);
    expect(reading.interfaces).toEqual([
      { ifIndex: 3, operStatus: 1, highSpeedMbps: 100, inOctets: '3000', outOctets: '6000', inErrors: 0, outErrors: 0 },
      { ifIndex: 4, operStatus: 2, highSpeedMbps: 1000, inOctets: '4000', outOctets: '8000', inErrors: 0, outErrors: 0 },
      { ifIndex: 99, operStatus: null, highSpeedMbps: null, inOctets: null, outOctets: null, inErrors: null, outErrors: null },
    ]);
    // Between the hourly reads of the facts, a poll asks only the uptimes and the interfaces' status,
    // octets and errors: the names and ifHighSpeed are left out (the interface list has the speed).
    const plain = await readDevice(client, v2c(device), [3, 4, 99]);
    expect(Object.keys(plain).sort()).toEqual(['engineBoots', 'engineTimeSeconds', 'hrSystemUptimeTicks', 'interfaces', 'sysUpTimeTicks']);
    expect(plain.sysUpTimeTicks).toBeGreaterThanOrEqual(reading.sysUpTimeTicks!);
    expect(plain.interfaces[0]).toEqual({ ifIndex: 3, operStatus: 1, inOctets: '3000', outOctets: '6000', inErrors: 0, outErrors: 0 });
  });

  it('lists the interfaces from ifTable and ifXTable: names, types, speeds and status as words', async () => {
    const many = await SimulatedDevice.start({
      communities: ['public'],
      interfaces: [
        { ifIndex: 1, up: true, speedMbps: 10_000, name: 'Te1/0/1', alias: 'Uplink to provincial WAN (VNPT)', descr: 'TenGigabitEthernet1/0/1' },
        { ifIndex: 2, up: false, speedMbps: 1000, name: 'Gi1/0/2', adminDown: true },
        { ifIndex: 10, up: true, speedMbps: 0, name: 'Vlan10', type: 136 },
        // More rows than one GETBULK brings back: the walk goes on where it stopped.
        ...Array.from({ length: 30 }, (_, i) => ({ ifIndex: 100 + i, up: i % 2 === 0, speedMbps: 100, name: `Fa0/${i}` })),
      ],
    });
    try {
      const list = await readInterfaces(client, v2c(many));
      expect(list).toHaveLength(33);
      expect(list.slice(0, 3)).toEqual([
        { ifIndex: 1, name: 'Te1/0/1', alias: 'Uplink to provincial WAN (VNPT)', descr: 'TenGigabitEthernet1/0/1', type: 'ethernetCsmacd', speedMbps: 10_000, adminStatus: 'up', operStatus: 'up' },
        { ifIndex: 2, name: 'Gi1/0/2', alias: null, descr: 'Simulated interface Gi1/0/2', type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'down', operStatus: 'down' },
        { ifIndex: 10, name: 'Vlan10', alias: null, descr: 'Simulated interface Vlan10', type: 'l3ipvlan', speedMbps: 0, adminStatus: 'up', operStatus: 'up' },
      ]);
      expect(list.map((i) => i.ifIndex).slice(-2)).toEqual([128, 129]);
      expect(list.filter((i) => i.operStatus === 'down')).toHaveLength(16);
    } finally {
      await many.stop();
    }
  });

  it('finds the chassis in ENTITY-MIB, skipping the modules', async () => {
    expect(await readChassis(client, v2c(device))).toEqual({ serialNumber: 'FGT60F0000001', model: 'FortiGate 60F', manufacturer: 'Fortinet' });
  });

  it('sorts failures into reasons: wrong community times out, garbage is malformed at once, a slow answer times out', async () => {
    expect((await failure(readDevice(client, v2c(device, 'wrong', 'w')))).reason).toBe('timeout');
    device.answerGarbage();
    const garbage = await failure(readDevice(client, v2c(device)));
    device.answerGarbage(false);
    expect(garbage.reason).toBe('malformed');
    expect(garbage.message).toMatch(/^malformed response from 127\.0\.0\.1:\d+/);
    device.answerSlowly(600);
    expect((await failure(readDevice(client, v2c(device)))).reason).toBe('timeout');
    device.answerSlowly(100);
    expect((await readDevice(client, v2c(device), [], true)).sysName).toBe('r1.sotttt.example');
    device.answerSlowly(0);
    expect((await failure(readDevice(client, { ...v2c(device), address: 'router.example' }))).reason).toBe('unresolved'); // a name now resolves through DNS; .example never does
  });

  it('polls 300 devices at once over two sockets', async () => {
    const before = udpSocketsOpen();
    const fleet = await Promise.all(Array.from({ length: 30 }, (_, i) => SimulatedDevice.start({ communities: [`c${i}`], sysName: `sim-${i}` })));
    const afterAgents = udpSocketsOpen();
    expect(afterAgents - before).toBe(30);
    const small = new SnmpClient({ sockets: 2, maxInFlight: 64 });
    // Ten sessions (devices) per agent: several devices behind one address and port.
    const targets = fleet.flatMap((d, i) => Array.from({ length: 10 }, (_, j) => ({ ...v2c(d, `c${i}`, `dev-${i}-${j}`), timeoutMs: 2000 })));
    const names = await Promise.all(targets.map(async (t) => (await readDevice(small, t, [], true)).sysName));
    expect(names.filter((n, k) => n === `sim-${Math.floor(k / 10)}`)).toHaveLength(300);
    expect(udpSocketsOpen() - afterAgents).toBe(2);
    expect(small.stats()).toMatchObject({ sockets: 2, sessions: 300, inFlight: 0, routes: 0, unmatched: 0, malformed: 0 });
    // The session cache is bounded: with room for 50, the least recently used go.
    const tight = new SnmpClient({ sockets: 1, sessionCacheSize: 50 });
    await Promise.all(targets.slice(0, 120).map((t) => readDevice(tight, t)));
    expect(tight.stats()).toMatchObject({ sockets: 1, sessions: 50, inFlight: 0, routes: 0 });
    await tight.close();
    await small.close();
    await Promise.all(fleet.map((d) => d.stop()));
  });
});

describe('SNMP client against Debian snmpd', () => {
  let snmpd: RunningSnmpd;
  let client: SnmpClient;
  beforeAll(async () => {
    snmpd = await startSnmpd();
    client = new SnmpClient({ sockets: 1 });
  });
  afterAll(async () => {
    await client.close();
    await snmpd.stop();
  });
  const at = (key: string, credentials: SnmpTarget['credentials']): SnmpTarget => ({ key, address: '127.0.0.1', port: snmpd.port, timeoutMs: 1000, retries: 1, credentials });

  it('reads with v2c', async () => {
    const r = await readDevice(client, at('v2c', { version: '2c', community: SNMPD.community }), [1], true);
    expect(r.sysName).toBe(SNMPD.sysName);
    expect(r.sysDescr).toMatch(/Linux/);
    expect(r.hrSystemUptimeTicks).toBeGreaterThan(0);
    expect(r.interfaces[0]).toMatchObject({ ifIndex: 1, operStatus: 1 });
  });

  it("lists Debian snmpd's interfaces, the loopback among them", async () => {
    const list = await readInterfaces(client, at('v2c-if', { version: '2c', community: SNMPD.community }));
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list.find((i) => i.name === 'lo')).toMatchObject({ ifIndex: 1, type: 'softwareLoopback', adminStatus: 'up', operStatus: 'up', descr: 'lo' });
  });

  it('reads with v3 authPriv (SHA-256, AES) and authNoPriv (SHA-1)', async () => {
    const u = SNMPD.privUser;
    const priv = await readDevice(client, at('v3priv', { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: u.privKey }), [], true);
    expect(priv.sysName).toBe(SNMPD.sysName);
    expect(priv.engineTimeSeconds).toBeGreaterThanOrEqual(0);
    const a = SNMPD.authUser;
    expect((await readDevice(client, at('v3auth', { version: '3', user: a.name, authProtocol: a.authProtocol, authKey: a.authKey }), [], true)).sysName).toBe(SNMPD.sysName);
  });

  it('reads with v3 authPriv SHA-512 and AES-256', async () => {
    const u = SNMPD.aes256User;
    const r = await readDevice(client, at('v3aes256', { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: u.privKey }), [], true);
    expect(r.sysName).toBe(SNMPD.sysName);
    // The wrong privacy key: snmpd cannot decrypt the request and drops it; the client says which setting to check.
    const wrongKey = { version: '3' as const, user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: 'not-the-key' };
    const dropped = await failure(readDevice(client, { ...at('v3aes256bad', wrongKey), timeoutMs: 300, retries: 0 }));
    expect([dropped.reason, dropped.message]).toEqual(['auth', expect.stringContaining('check the privacy protocol (AES-128 or AES-256) and the privacy key')]);
  });

  it('reads over IPv6, matching answers from ::1 to a target written in long form', async () => {
    const six = new SnmpClient({ sockets: 1 });
    try {
      const r = await readDevice(six, { ...at('v6', { version: '2c', community: SNMPD.community }), address: '0:0:0:0:0:0:0:1' }, [], true);
      expect(r.sysName).toBe(SNMPD.sysName);
      expect(six.stats()).toMatchObject({ unmatched: 0, routes: 0 });
    } finally {
      await six.close();
    }
  });

  it('names a wrong v3 key an authentication failure', async () => {
    const u = SNMPD.privUser;
    const error = await failure(readDevice(client, at('v3bad', { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: 'not-the-key', privProtocol: u.privProtocol, privKey: u.privKey })));
    expect(error.reason).toBe('auth');
    expect(error.message).toMatch(/^SNMPv3 authentication with 127\.0\.0\.1:\d+ failed/);
  });

  it('names a wrong v3 privacy key or protocol (snmpd drops what it cannot decrypt) instead of "no answer"', async () => {
    const u = SNMPD.privUser;
    for (const [key, priv] of [['v3badpriv', { privProtocol: u.privProtocol, privKey: 'not-the-priv-key' }], ['v3badproto', { privProtocol: 'aes256b' as const, privKey: u.privKey }]] as const) {
      const error = await failure(readDevice(client, at(key, { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, ...priv })));
      expect(error.reason).toBe('auth');
      expect(error.message).toMatch(/answers user hatangpriv without encryption but not with AES(256B)?: check the privacy protocol \(AES-128 or AES-256\) and the privacy key$/);
    }
    // A device that does not answer at all is still "no answer".
    const silent = await failure(readDevice(client, { ...at('v3silent', { version: '3', user: u.name, authProtocol: u.authProtocol, authKey: u.authKey, privProtocol: u.privProtocol, privKey: u.privKey }), port: 9 }));
    expect(silent.reason).toBe('timeout');
  });
});
