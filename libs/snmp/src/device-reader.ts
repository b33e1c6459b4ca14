import { ENT_PHYSICAL_CLASS_CHASSIS, OID } from './oids';
import { type SnmpClient, type SnmpTarget, type Varbind } from './snmp-client';

export interface InterfaceReading {
  ifIndex: number;
  /** IF-MIB ifOperStatus: 1 up, 2 down, 3 testing, 5 dormant, 7 lowerLayerDown…; null when the agent has no such row. */
  operStatus: number | null;
  highSpeedMbps: number | null;
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
  sysName: string | null;
  sysDescr: string | null;
  sysObjectID: string | null;
  /**
   * Where the device is and who looks after it, as its admin set them (often empty); undefined
   * when the GET did not ask (they are read on a slower schedule than the poll).
   */
  sysLocation?: string | null;
  sysContact?: string | null;
  interfaces: InterfaceReading[];
}

const SYSTEM: string[] = [OID.sysUpTime, OID.sysName, OID.sysDescr, OID.sysObjectID, OID.hrSystemUptime, OID.snmpEngineBoots, OID.snmpEngineTime];
/** The same with sysLocation and sysContact (two more varbinds: about a sixth more CPU per poll in bench:poller, so not every poll). */
const SYSTEM_AND_FACTS: string[] = [...SYSTEM, OID.sysLocation, OID.sysContact];

/** Objects read per polled interface: status, speed, octets in and out, errors in and out. */
const PER_INTERFACE = 6;

/** One GET: the system group (with sysLocation and sysContact when `facts`), the uptimes, and the status of the given interfaces. */
export async function readDevice(client: SnmpClient, target: SnmpTarget, ifIndexes: readonly number[] = [], facts = false): Promise<DeviceReading> {
  const system = facts ? SYSTEM_AND_FACTS : SYSTEM;
  let oids: string[] = system;
  if (ifIndexes.length > 0) {
    oids = [...system];
    for (const i of ifIndexes) {
      oids.push(`${OID.ifOperStatus}.${i}`, `${OID.ifHighSpeed}.${i}`, `${OID.ifHCInOctets}.${i}`, `${OID.ifHCOutOctets}.${i}`, `${OID.ifInErrors}.${i}`, `${OID.ifOutErrors}.${i}`);
    }
  }
  const vb = await client.get(target, oids);
  const interfaces: InterfaceReading[] = ifIndexes.length === 0 ? [] : ifIndexes.map((ifIndex, n) => {
    const at = system.length + n * PER_INTERFACE;
    return { ifIndex, operStatus: int(vb[at]), highSpeedMbps: int(vb[at + 1]), inOctets: counter64(vb[at + 2]), outOctets: counter64(vb[at + 3]), inErrors: int(vb[at + 4]), outErrors: int(vb[at + 5]) };
  });
  return {
    sysUpTimeTicks: int(vb[0]),
    sysName: text(vb[1], MAX_SYS_NAME),
    sysDescr: text(vb[2], MAX_SYS_DESCR),
    sysObjectID: typeof vb[3]?.value === 'string' ? storableText(vb[3].value as string, MAX_SYS_NAME) : null,
    hrSystemUptimeTicks: int(vb[4]),
    engineBoots: int(vb[5]),
    engineTimeSeconds: int(vb[6]),
    ...(facts ? { sysLocation: text(vb[7], MAX_SYS_NAME), sysContact: text(vb[8], MAX_SYS_NAME) } : {}),
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
