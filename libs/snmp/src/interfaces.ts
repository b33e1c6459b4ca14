import { OID } from './oids';
import type { SnmpClient, SnmpTarget, Varbind } from './snmp-client';

/** IF-MIB ifAdminStatus, as words. */
export const ADMIN_STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing' };
/** IF-MIB ifOperStatus, as words. */
export const OPER_STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' };

/** IANAifType names of the interface types met on the equipment the plans list; others read "type N". */
const IF_TYPES: Record<number, string> = {
  1: 'other',
  6: 'ethernetCsmacd',
  23: 'ppp',
  24: 'softwareLoopback',
  32: 'frameRelay',
  37: 'atm',
  53: 'propVirtual',
  71: 'ieee80211',
  94: 'adsl',
  97: 'vdsl',
  117: 'gigabitEthernet',
  131: 'tunnel',
  135: 'l2vlan',
  136: 'l3ipvlan',
  150: 'mplsTunnel',
  161: 'ieee8023adLag',
  166: 'mpls',
  209: 'bridge',
  244: 'wwanPP2',
  251: 'vdsl2',
};

export function ifTypeName(type: number | null): string | null {
  return type === null ? null : (IF_TYPES[type] ?? `type ${type}`);
}

/** One row of a device's interface table, as IF-MIB gives it. */
export interface InterfaceListing {
  ifIndex: number;
  /** ifName (what admins type: Gi0/1, ge-0/0/1, port1), else ifDescr. */
  name: string;
  alias: string | null;
  descr: string | null;
  /** IANAifType as a word (ethernetCsmacd, l2vlan, …). */
  type: string | null;
  /** ifHighSpeed where the agent has it, else ifSpeed / 10^6. */
  speedMbps: number | null;
  adminStatus: string | null;
  operStatus: string | null;
}

/** Interfaces kept per device, at most (a chassis switch stack has a few hundred; a BRAS, thousands). */
export const MAX_INTERFACES = 5000;
const MAX_TEXT = 255;

/** A device's interfaces: ifTable and ifXTable walked side by side (GETBULK), in ifIndex order. */
export async function readInterfaces(client: SnmpClient, target: SnmpTarget): Promise<InterfaceListing[]> {
  const columns = [OID.ifDescr, OID.ifType, OID.ifSpeed, OID.ifAdminStatus, OID.ifOperStatus, OID.ifName, OID.ifAlias, OID.ifHighSpeed];
  const table = await client.walkColumns(target, columns, MAX_INTERFACES);
  const indexes = new Set<number>();
  for (const column of [OID.ifDescr, OID.ifType, OID.ifOperStatus, OID.ifName]) {
    for (const suffix of table.get(column)!.keys()) if (/^\d+$/.test(suffix)) indexes.add(Number(suffix));
  }
  const cell = (column: string, i: number): Varbind | undefined => table.get(column)!.get(String(i));
  const out: InterfaceListing[] = [];
  for (const ifIndex of [...indexes].sort((a, b) => a - b).slice(0, MAX_INTERFACES)) {
    const descr = text(cell(OID.ifDescr, ifIndex));
    const high = int(cell(OID.ifHighSpeed, ifIndex));
    const speed = int(cell(OID.ifSpeed, ifIndex));
    const admin = int(cell(OID.ifAdminStatus, ifIndex));
    const oper = int(cell(OID.ifOperStatus, ifIndex));
    out.push({
      ifIndex,
      name: text(cell(OID.ifName, ifIndex)) ?? descr ?? `ifIndex ${ifIndex}`,
      alias: text(cell(OID.ifAlias, ifIndex)),
      descr,
      type: ifTypeName(int(cell(OID.ifType, ifIndex))),
      // ifSpeed tops out at 4,294 Mbps (a Gauge32 of bits per second); ifHighSpeed does not.
      speedMbps: high !== null && high > 0 ? high : speed !== null ? Math.round(speed / 1_000_000) : high,
      adminStatus: admin === null ? null : (ADMIN_STATUS[admin] ?? String(admin)),
      operStatus: oper === null ? null : (OPER_STATUS[oper] ?? String(oper)),
    });
  }
  return out;
}

function int(vb: Varbind | undefined): number | null {
  return typeof vb?.value === 'number' && Number.isFinite(vb.value) ? vb.value : null;
}

function text(vb: Varbind | undefined): string | null {
  const v = vb?.value;
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'string' ? v : null;
  if (s === null) return null;
  const clean = s.replace(/\0+$/, '').replace(/\0/g, '\uFFFD').trim();
  return clean === '' ? null : clean.slice(0, MAX_TEXT);
}
