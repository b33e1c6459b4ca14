import * as dgram from 'node:dgram';
import * as snmp from 'net-snmp';

/**
 * A network device for tests, benchmarks and the demo: net-snmp's agent on 127.0.0.1, with the objects a
 * poll reads (system group, host and engine uptime, IF-MIB rows, ENTITY-MIB chassis) and the
 * failures a poller must handle. The agent's socket is wrapped (net-snmp's `dgramModule` option)
 * so the device can stop answering, answer late, or answer garbage, while keeping its port.
 */
export interface SimulatedInterface {
  ifIndex: number;
  up: boolean;
  speedMbps: number;
  /** ifName (default "port<ifIndex>"), ifAlias, ifDescr, IANAifType (default 6, ethernetCsmacd); adminDown: ifAdminStatus 2. */
  name?: string;
  alias?: string;
  descr?: string;
  type?: number;
  adminDown?: boolean;
}

/** A neighbour the simulated device hears over LLDP on one of its ports. */
export interface SimulatedNeighbour {
  localPortNum: number;
  /** lldpLocPortId of that port (its name). */
  localPort: string;
  /** A MAC address (aa:bb:cc:dd:ee:ff), sent as 6 octets with chassis id subtype macAddress(4). */
  chassisId: string;
  sysName: string;
  /** Sent with port id subtype interfaceName(5). */
  portId: string;
  portDescr?: string;
  /** An IPv4 management address it advertises. */
  managementAddress?: string;
}

export interface SimulatedDeviceOptions {
  /** Communities answered (v2c). */
  communities?: string[];
  /** SNMPv3 users answered. */
  users?: Array<{ name: string; authProtocol: 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512'; authKey: string; privProtocol?: 'aes' | 'aes256b' | 'aes256r'; privKey?: string }>;
  sysName?: string;
  sysDescr?: string;
  sysObjectID?: string;
  /** sysLocation and sysContact; absent when not given, as on an agent nobody set them on. */
  sysLocation?: string;
  sysContact?: string;
  interfaces?: SimulatedInterface[];
  /** sysUpTime when the simulator starts, in hundredths (to start near the 497-day wrap). */
  initialUptimeTicks?: number;
  /** Answer hrSystemUptime (host uptime). */
  hostResources?: boolean;
  /** Answer snmpEngineBoots / snmpEngineTime. */
  engineObjects?: boolean;
  /** Leave sysUpTime out (agents that lack it). */
  withoutSysUpTime?: boolean;
  chassis?: { serialNumber: string; model: string; manufacturer: string };
  /** LLDP-MIB: what the device hears on its ports. */
  neighbours?: SimulatedNeighbour[];
  /** Port; 0 picks a free one. */
  port?: number;
  /** Loopback address to listen on (127.0.0.1 unless given: discovery tests sweep 127.0.0.x). */
  address?: string;
  /** Clock in ms (tests may speed time up); defaults to Date.now. */
  clock?: () => number;
}

type Mode = 'up' | 'down' | 'garbage';

export class SimulatedDevice {
  readonly address: string;
  port = 0;
  /** Requests answered and requests dropped, for assertions. */
  answered = 0;
  dropped = 0;
  private mode: Mode = 'up';
  private delayMs = 0;
  private agent: ReturnType<typeof snmp.createAgent>;
  private socket?: dgram.Socket;
  private bootedAt: number;
  private uptimeBaseTicks: number;
  private engineBoots = 1;
  private readonly clock: () => number;
  private readonly interfaces = new Map<number, SimulatedInterface>();

  private constructor(private readonly options: SimulatedDeviceOptions) {
    this.clock = options.clock ?? Date.now;
    this.address = options.address ?? '127.0.0.1';
    this.bootedAt = this.clock();
    this.uptimeBaseTicks = options.initialUptimeTicks ?? 0;
    for (const i of options.interfaces ?? []) this.interfaces.set(i.ifIndex, { ...i });
  }

  static async start(options: SimulatedDeviceOptions = {}): Promise<SimulatedDevice> {
    const device = new SimulatedDevice(options);
    await device.listen();
    return device;
  }

  /** sysUpTime now, in hundredths, wrapping at 2^32 like the real counter. */
  uptimeTicks(): number {
    return (this.uptimeBaseTicks + Math.floor((this.clock() - this.bootedAt) / 10)) % 2 ** 32;
  }

  /** Stops answering (power cut, cable pulled): requests time out. */
  goDown(): void {
    this.mode = 'down';
  }

  /** Answers again; with rebooted, uptime restarts from zero at this moment. */
  comeBack(options: { rebooted?: boolean } = {}): void {
    if (options.rebooted) this.restartClock();
    this.mode = 'up';
  }

  /** A reboot too quick for any poll to see the device down: uptime restarts from zero. */
  reboot(): void {
    this.restartClock();
  }

  setInterface(ifIndex: number, up: boolean): void {
    const i = this.interfaces.get(ifIndex);
    if (!i) throw new Error(`no interface ${ifIndex}`);
    i.up = up;
    this.agent.getMib().setTableSingleCell('ifEntry', 8, [ifIndex], up ? 1 : 2);
  }

  /**
   * Replaces the interface table (a reboot that renumbers ifIndex, a module added or taken out, a
   * port renamed): the rows are rebuilt from `interfaces`.
   */
  setInterfaces(interfaces: SimulatedInterface[]): void {
    const mib = this.agent.getMib();
    for (const i of this.interfaces.values()) {
      mib.deleteTableRow('ifXEntry', [i.ifIndex]);
      mib.deleteTableRow('ifEntry', [i.ifIndex]);
    }
    this.interfaces.clear();
    for (const i of interfaces) this.interfaces.set(i.ifIndex, { ...i });
    for (const i of this.interfaces.values()) this.addInterfaceRows(i);
  }

  /** Sets an interface's ifHCInOctets and ifHCOutOctets (traffic between two polls). */
  setCounters(ifIndex: number, inOctets: bigint, outOctets: bigint): void {
    if (!this.interfaces.has(ifIndex)) throw new Error(`no interface ${ifIndex}`);
    const mib = this.agent.getMib();
    mib.setTableSingleCell('ifXEntry', 6, [ifIndex], counter64(inOctets));
    mib.setTableSingleCell('ifXEntry', 10, [ifIndex], counter64(outOctets));
  }

  /** Sets an interface's ifInErrors and ifOutErrors. */
  setErrors(ifIndex: number, inErrors: number, outErrors: number): void {
    if (!this.interfaces.has(ifIndex)) throw new Error(`no interface ${ifIndex}`);
    const mib = this.agent.getMib();
    mib.setTableSingleCell('ifEntry', 14, [ifIndex], inErrors);
    mib.setTableSingleCell('ifEntry', 20, [ifIndex], outErrors);
  }

  answerSlowly(delayMs: number): void {
    this.delayMs = delayMs;
  }

  answerGarbage(on = true): void {
    this.mode = on ? 'garbage' : 'up';
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.agent.close(() => resolve()));
  }

  private addInterfaceRows(i: SimulatedInterface): void {
    const mib = this.agent.getMib();
    const name = i.name ?? `port${i.ifIndex}`;
    mib.addTableRow('ifEntry', [i.ifIndex, i.descr ?? `Simulated interface ${name}`, i.type ?? 6, Math.min(i.speedMbps * 1_000_000, 4_294_967_295), i.adminDown ? 2 : 1, i.up ? 1 : 2, 0, 0]);
    mib.addTableRow('ifXEntry', [i.ifIndex, name, counter64(1000n * BigInt(i.ifIndex)), counter64(2000n * BigInt(i.ifIndex)), i.speedMbps, i.alias ?? '']);
  }

  private restartClock(): void {
    this.bootedAt = this.clock();
    this.uptimeBaseTicks = 0;
    this.engineBoots++;
  }

  private async listen(): Promise<void> {
    let listening!: Promise<void>;
    // The agent creates its socket through this module: it binds the port we choose, and every
    // datagram passes through the device's mode.
    const dgramModule = {
      createSocket: (type: 'udp4') => {
        const socket = dgram.createSocket(type);
        this.socket = socket;
        const bind = socket.bind.bind(socket);
        (socket as unknown as { bind: () => void }).bind = () => {
          listening = new Promise((resolve, reject) => {
            socket.once('error', reject);
            bind(this.options.port ?? 0, this.address, () => {
              socket.off('error', reject);
              this.port = socket.address().port;
              resolve();
            });
          });
        };
        const send = socket.send.bind(socket) as (...args: unknown[]) => void;
        const on = socket.on.bind(socket);
        (socket as unknown as { on: typeof on }).on = ((event: string, listener: (...args: unknown[]) => void) => {
          if (event !== 'message') return on(event, listener);
          return on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
            if (this.mode === 'down') {
              this.dropped++;
              return;
            }
            if (this.mode === 'garbage') {
              this.answered++;
              send(Buffer.from('this is not an SNMP message'), rinfo.port, rinfo.address);
              return;
            }
            listener(msg, rinfo);
          });
        }) as typeof on;
        (socket as unknown as { send: (...args: unknown[]) => void }).send = (...args: unknown[]) => {
          if (this.mode !== 'up') return;
          this.answered++;
          if (this.delayMs > 0) setTimeout(() => send(...args), this.delayMs);
          else send(...args);
        };
        return socket;
      },
    };

    this.agent = snmp.createAgent({ port: 161, address: this.address, dgramModule, accessControlModelType: snmp.AccessControlModelType.None }, () => undefined);
    await listening;
    const authorizer = this.agent.getAuthorizer();
    for (const c of this.options.communities ?? ['public']) authorizer.addCommunity(c);
    for (const u of this.options.users ?? []) {
      authorizer.addUser({
        name: u.name,
        level: u.privProtocol ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
        authProtocol: snmp.AuthProtocols[u.authProtocol],
        authKey: u.authKey,
        ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol], privKey: u.privKey } : {}),
      });
    }
    this.registerObjects();
  }

  private registerObjects(): void {
    const mib = this.agent.getMib();
    const o = this.options;
    const readOnly = snmp.MaxAccess['read-only'];
    const scalar = (name: string, oid: string, type: number, value: unknown, live?: () => unknown) => {
      mib.registerProvider({
        name,
        type: snmp.MibProviderType.Scalar,
        oid,
        scalarType: type,
        maxAccess: readOnly,
        handler: live
          ? (req: { instanceNode: { value: unknown }; done: () => void }) => {
              req.instanceNode.value = live();
              req.done();
            }
          : undefined,
      });
      mib.setScalarValue(name, value);
    };
    scalar('sysDescr', '1.3.6.1.2.1.1.1', snmp.ObjectType.OctetString, o.sysDescr ?? 'Hatang simulated router');
    scalar('sysObjectID', '1.3.6.1.2.1.1.2', snmp.ObjectType.OID, o.sysObjectID ?? '1.3.6.1.4.1.8072.3.2.10');
    if (!o.withoutSysUpTime) scalar('sysUpTime', '1.3.6.1.2.1.1.3', snmp.ObjectType.TimeTicks, 0, () => this.uptimeTicks());
    scalar('sysName', '1.3.6.1.2.1.1.5', snmp.ObjectType.OctetString, o.sysName ?? 'sim');
    if (o.sysContact !== undefined) scalar('sysContact', '1.3.6.1.2.1.1.4', snmp.ObjectType.OctetString, o.sysContact);
    if (o.sysLocation !== undefined) scalar('sysLocation', '1.3.6.1.2.1.1.6', snmp.ObjectType.OctetString, o.sysLocation);
    if (o.hostResources) scalar('hrSystemUptime', '1.3.6.1.2.1.25.1.1', snmp.ObjectType.TimeTicks, 0, () => this.uptimeTicks());
    if (o.engineObjects) {
      scalar('snmpEngineBoots', '1.3.6.1.6.3.10.2.1.2', snmp.ObjectType.Integer, 1, () => this.engineBoots);
      scalar('snmpEngineTime', '1.3.6.1.6.3.10.2.1.3', snmp.ObjectType.Integer, 0, () => Math.floor((this.clock() - this.bootedAt) / 1000));
    }
    const column = (number: number, name: string, type: number) => ({ number, name, type, maxAccess: readOnly });
    const table = (name: string, oid: string, tableColumns: object[], index: object) =>
      mib.registerProvider({ name, type: snmp.MibProviderType.Table, oid, maxAccess: snmp.MaxAccess['not-accessible'], tableColumns, ...index });
    const interfaces = [...this.interfaces.values()];
    if (interfaces.length > 0) {
      table(
        'ifEntry',
        '1.3.6.1.2.1.2.2.1',
        [
          column(1, 'ifIndex', snmp.ObjectType.Integer),
          column(2, 'ifDescr', snmp.ObjectType.OctetString),
          column(3, 'ifType', snmp.ObjectType.Integer),
          column(5, 'ifSpeed', snmp.ObjectType.Gauge),
          column(7, 'ifAdminStatus', snmp.ObjectType.Integer),
          column(8, 'ifOperStatus', snmp.ObjectType.Integer),
          column(14, 'ifInErrors', snmp.ObjectType.Counter),
          column(20, 'ifOutErrors', snmp.ObjectType.Counter),
        ],
        { tableIndex: [{ columnName: 'ifIndex' }] },
      );
      table(
        'ifXEntry',
        '1.3.6.1.2.1.31.1.1.1',
        [
          column(1, 'ifName', snmp.ObjectType.OctetString),
          column(6, 'ifHCInOctets', snmp.ObjectType.Counter64),
          column(10, 'ifHCOutOctets', snmp.ObjectType.Counter64),
          column(15, 'ifHighSpeed', snmp.ObjectType.Gauge),
          column(18, 'ifAlias', snmp.ObjectType.OctetString),
        ],
        { tableAugments: 'ifEntry' },
      );
      for (const i of interfaces) this.addInterfaceRows(i);
    }
    if (o.chassis) {
      table(
        'entPhysicalEntry',
        '1.3.6.1.2.1.47.1.1.1.1',
        [
          column(1, 'entPhysicalIndex', snmp.ObjectType.Integer),
          column(5, 'entPhysicalClass', snmp.ObjectType.Integer),
          column(11, 'entPhysicalSerialNum', snmp.ObjectType.OctetString),
          column(12, 'entPhysicalMfgName', snmp.ObjectType.OctetString),
          column(13, 'entPhysicalModelName', snmp.ObjectType.OctetString),
        ],
        { tableIndex: [{ columnName: 'entPhysicalIndex' }] },
      );
      // A stack module first (class 9), then the chassis (class 3): the reader must pick the chassis.
      mib.addTableRow('entPhysicalEntry', [1, 9, 'MOD-0001', 'Module Co', 'Uplink module']);
      mib.addTableRow('entPhysicalEntry', [2, 3, o.chassis.serialNumber, o.chassis.manufacturer, o.chassis.model]);
    }
    if (o.neighbours?.length) {
      const notAccessible = (number: number, name: string, type: number) => ({ number, name, type, maxAccess: snmp.MaxAccess['not-accessible'] });
      table('lldpLocPortEntry', '1.0.8802.1.1.2.1.3.7.1', [notAccessible(1, 'lldpLocPortNum', snmp.ObjectType.Integer), column(3, 'lldpLocPortId', snmp.ObjectType.OctetString)], { tableIndex: [{ columnName: 'lldpLocPortNum' }] });
      table(
        'lldpRemEntry',
        '1.0.8802.1.1.2.1.4.1.1',
        [
          notAccessible(1, 'lldpRemTimeMark', snmp.ObjectType.TimeTicks),
          notAccessible(2, 'lldpRemLocalPortNum', snmp.ObjectType.Integer),
          notAccessible(3, 'lldpRemIndex', snmp.ObjectType.Integer),
          column(4, 'lldpRemChassisIdSubtype', snmp.ObjectType.Integer),
          column(5, 'lldpRemChassisId', snmp.ObjectType.OctetString),
          column(6, 'lldpRemPortIdSubtype', snmp.ObjectType.Integer),
          column(7, 'lldpRemPortId', snmp.ObjectType.OctetString),
          column(8, 'lldpRemPortDesc', snmp.ObjectType.OctetString),
          column(9, 'lldpRemSysName', snmp.ObjectType.OctetString),
        ],
        { tableIndex: [{ columnName: 'lldpRemTimeMark' }, { columnName: 'lldpRemLocalPortNum' }, { columnName: 'lldpRemIndex' }] },
      );
      table(
        'lldpRemManAddrEntry',
        '1.0.8802.1.1.2.1.4.2.1',
        [notAccessible(1, 'lldpRemManAddrSubtype', snmp.ObjectType.Integer), notAccessible(2, 'lldpRemManAddr', snmp.ObjectType.OctetString), column(3, 'lldpRemManAddrIfSubtype', snmp.ObjectType.Integer)],
        {
          tableIndex: [
            { foreign: 'lldpRemEntry', columnName: 'lldpRemTimeMark' },
            { foreign: 'lldpRemEntry', columnName: 'lldpRemLocalPortNum' },
            { foreign: 'lldpRemEntry', columnName: 'lldpRemIndex' },
            { columnName: 'lldpRemManAddrSubtype' },
            { columnName: 'lldpRemManAddr' },
          ],
        },
      );
      const ports = new Map(o.neighbours.map((n) => [n.localPortNum, n.localPort]));
      for (const [num, name] of ports) mib.addTableRow('lldpLocPortEntry', [num, name]);
      o.neighbours.forEach((n, i) => {
        const mac = Buffer.from(n.chassisId.split(':').map((h) => parseInt(h, 16)));
        mib.addTableRow('lldpRemEntry', [0, n.localPortNum, i + 1, 4, mac, 5, n.portId, n.portDescr ?? '', n.sysName]);
        if (n.managementAddress) mib.addTableRow('lldpRemManAddrEntry', [0, n.localPortNum, i + 1, 1, Buffer.from(n.managementAddress.split('.').map(Number)), 2]);
      });
    }
  }
}

function counter64(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(value);
  return b;
}
