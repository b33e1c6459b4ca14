import { ENT_PHYSICAL_CLASS_CHASSIS, OID } from './oids';
import { type SnmpClient, type SnmpTarget, type Varbind } from './snmp-client';

export interface InterfaceReading {
  ifIndex: number;
  /** IF-MIB ifOperStatus: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown…; null when the agent has no such row. */
  operStatus: number | null;
  /** ifHighSpeed, read with the facts (hourly); undefined when the GET did not ask. */
  highSpeedMbps?: number | null;
  /** Counter64 as a decimal string (it does not fit a JS number). */
  inOctets: string | null;
  outOctets: string | null;
  /** ifInErrors and ifOutErrors (Counter32); absent from remote pollers' older results. */
  inErrors?: number | null;
  outErrors?: number | null;
}

export interface DeviceReading {
  sysUpTimeTicks: number | null;
  hrSystemUptimeTicks: number | null;
  engineBoots: number | null;
  engineTimeSeconds: number | null;
  /**
   * What the device says it is, where it is and who looks after it (sysLocation and sysContact as
   * its admin set them, often empty); undefined when the GET did not ask (they are read at the
   * first answer and hourly, not at every poll).
   */
  sysName?: string | null;
  sysDescr?: string | null;
  sysObjectID?: string | null;
  sysLocation?: string | null;
  sysContact?: string | null;
  interfaces: InterfaceReading[];
}

/** Read at every poll: the uptimes (the host's, the agent's, and SNMPv3's engine boots and time). */
const SYSTEM: string[] = [OID.sysUpTime, OID.hrSystemUptime, OID.snmpEngineBoots, OID.snmpEngineTime];
/**
 * The same with the facts, read at a device's first answer and hourly: sysName, sysDescr and
 * sysObjectID (which change with a new device or firmware), sysLocation and sysContact. Each
 * object in a GET costs CPU on both sides (bench:poller), and these change rarely.
 */
const SYSTEM_AND_FACTS: string[] = [...SYSTEM, OID.sysName, OID.sysDescr, OID.sysObjectID, OID.sysLocation, OID.sysContact];

/** Objects read per polled interface at every poll: status, octets in and out, errors in and out. */
const PER_INTERFACE = [OID.ifOperStatus, OID.ifHCInOctets, OID.ifHCOutOctets, OID.ifInErrors, OID.ifOutErrors];

/**
 * The OIDs of a GET, by the list of interfaces it reads: built once per list (a poller keeps one
 * list per device until its links change), not 30 strings at every poll.
 */
const oidLists = new WeakMap<readonly number[], { plain: string[]; facts: string[] }>();

function oidsFor(ifIndexes: readonly number[], facts: boolean): string[] {
  if (ifIndexes.length === 0) return facts ? SYSTEM_AND_FACTS : SYSTEM;
  let lists = oidLists.get(ifIndexes);
  if (!lists) {
    const perInterface = ifIndexes.flatMap((i) => PER_INTERFACE.map((oid) => `${oid}.${i}`));
    // ifHighSpeed changes with a new port or transceiver: read with the facts, as the interface list (hourly).
    lists = { plain: [...SYSTEM, ...perInterface], facts: [...SYSTEM_AND_FACTS, ...perInterface, ...ifIndexes.map((i) => `${OID.ifHighSpeed}.${i}`)] };
    oidLists.set(ifIndexes, lists);
  }
  return facts ? lists.facts : lists.plain;
}

/**
 * One GET: the uptimes, and the status, octets and errors of the given interfaces; with `facts`
 * (hourly), the system group's names (sysName, sysDescr, sysObjectID, sysLocation, sysContact)
 * and the interfaces' ifHighSpeed too.
 * ifIndexes should be the same array from one poll of a device to the next (its OIDs are kept by it).
 */
export async function readDevice(client: SnmpClient, target: SnmpTarget, ifIndexes: readonly number[] = [], facts = false): Promise<DeviceReading> {
  const system = facts ? SYSTEM_AND_FACTS : SYSTEM;
  const vb = await client.get(target, oidsFor(ifIndexes, facts));
  const speeds = system.length + ifIndexes.length * PER_INTERFACE.length;
  const interfaces: InterfaceReading[] = ifIndexes.length === 0 ? [] : ifIndexes.map((ifIndex, n) => {
    const at = system.length + n * PER_INTERFACE.length;
    const reading: InterfaceReading = { ifIndex, operStatus: int(vb[at]), inOctets: counter64(vb[at + 1]), outOctets: counter64(vb[at + 2]), inErrors: int(vb[at + 3]), outErrors: int(vb[at + 4]) };
    if (facts) reading.highSpeedMbps = int(vb[speeds + n]);
    return reading;
  });
  return {
    sysUpTimeTicks: int(vb[0]),
    hrSystemUptimeTicks: int(vb[1]),
    engineBoots: int(vb[2]),
    engineTimeSeconds: int(vb[3]),
    ...(facts
      ? {
          sysName: text(vb[4], MAX_SYS_NAME),
          sysDescr: text(vb[5], MAX_SYS_DESCR),
          sysObjectID: typeof vb[6]?.value === 'string' ? storableText(vb[6].value as string, MAX_SYS_NAME) : null,
          sysLocation: text(vb[7], MAX_SYS_NAME),
          sysContact: text(vb[8], MAX_SYS_NAME),
        }
      : {}),
    interfaces,
  };
}

export interface ChassisReading {
  serialNumber: string | null;
  model: string | null;
  manufacturer: string | null;
}

/** Serial, model and manufacturer of the first chassis in ENTITY-MIB; null when the agent has none. */
export async function readChassis(client: SnmpClient, target: SnmpTarget): Promise<ChassisReading | null> {
  const classes = await client.walk(target, OID.entPhysicalClass, 200);
  const chassis = classes.find((row) => row.value === ENT_PHYSICAL_CLASS_CHASSIS);
  if (!chassis) return null;
  const index = chassis.oid.slice(OID.entPhysicalClass.length + 1);
  const [serial, mfg, model] = await client.get(target, [`${OID.entPhysicalSerialNum}.${index}`, `${OID.entPhysicalMfgName}.${index}`, `${OID.entPhysicalModelName}.${index}`]);
  return { serialNumber: text(serial), manufacturer: text(mfg), model: text(model) };
}

function int(vb: Varbind | undefined): number | null {
  return typeof vb?.value === 'number' && Number.isFinite(vb.value) ? vb.value : null;
}

/** Longest sysName / sysObjectID and sysDescr kept (the columns' sizes; an agent may send 64 KB). */
export const MAX_SYS_NAME = 255;
export const MAX_SYS_DESCR = 2000;

/**
 * An agent's string as the database can store it: bytes that are not UTF-8 were already decoded
 * to U+FFFD; a NUL inside (PostgreSQL's text cannot hold one) becomes U+FFFD too, so the value
 * still shows that something was there; cut to `max` characters.
 */
export function storableText(s: string, max: number): string {
  const clean = s.includes('\0') ? s.replace(/\0/g, '\uFFFD') : s;
  return clean.length > max ? clean.slice(0, max) : clean;
}

function text(vb: Varbind | undefined, max = MAX_SYS_NAME): string | null {
  if (vb?.value === undefined || vb.value === null) return null;
  const s = Buffer.isBuffer(vb.value) ? vb.value.toString('utf8') : typeof vb.value === 'string' ? vb.value : null;
  if (s === null) return null;
  // C agents often send the terminating NUL too: that one is not part of the value.
  const trimmed = s.replace(/\0+$/, '').trim();
  return trimmed === '' ? null : storableText(trimmed, max);
}

function counter64(vb: Varbind | undefined): string | null {
  const v = vb?.value;
  if (Buffer.isBuffer(v)) return v.length === 0 ? '0' : BigInt(`0x${v.toString('hex')}`).toString();
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return null;
}
