import ipaddr from 'ipaddr.js';
import { OID } from './oids';
import type { SnmpClient, SnmpTarget, Varbind } from './snmp-client';

/** A neighbour a device hears on one of its ports (LLDP-MIB lldpRemTable), as it describes itself. */
export interface NeighbourListing {
  /** lldpRemLocalPortNum, and the local port as LLDP names it (lldpLocPortId, else its description). */
  localPortNum: number;
  localPort: string | null;
  /** The neighbour's chassis id (a MAC address as aa:bb:cc:dd:ee:ff, or its text) and port. */
  chassisId: string | null;
  portId: string | null;
  portDescr: string | null;
  sysName: string | null;
  /** Its first IPv4 or IPv6 management address (lldpRemManAddrTable), if it advertises one. */
  managementAddress: string | null;
}

/** Neighbours kept per device, at most (a core switch hears one per port). */
export const MAX_NEIGHBOURS = 1000;
const MAX_TEXT = 255;
/** LLDP subtypes whose value is a MAC address (chassis id 4, port id 3). */
const MAC_SUBTYPE = { chassis: 4, port: 3 } as const;

/**
 * What a device hears over LLDP: lldpRemTable, its management addresses and lldpLocPortTable,
 * each walked with GETBULK. An agent without LLDP-MIB gives an empty list.
 */
export async function readNeighbours(client: SnmpClient, target: SnmpTarget): Promise<NeighbourListing[]> {
  const remote = await client.walkColumns(target, [OID.lldpRemChassisIdSubtype, OID.lldpRemChassisId, OID.lldpRemPortIdSubtype, OID.lldpRemPortId, OID.lldpRemPortDesc, OID.lldpRemSysName], MAX_NEIGHBOURS);
  // Rows by their index: lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex.
  const rows = new Set<string>();
  for (const column of [OID.lldpRemChassisId, OID.lldpRemPortId, OID.lldpRemSysName]) for (const suffix of remote.get(column)!.keys()) if (/^\d+\.\d+\.\d+$/.test(suffix)) rows.add(suffix);
  if (rows.size === 0) return [];
  const [local, addresses] = await Promise.all([
    client.walkColumns(target, [OID.lldpLocPortId, OID.lldpLocPortDesc], MAX_NEIGHBOURS),
    client.walkColumns(target, [OID.lldpRemManAddrIfSubtype], MAX_NEIGHBOURS * 4),
  ]);
  const addressOf = new Map<string, string>();
  for (const suffix of addresses.get(OID.lldpRemManAddrIfSubtype)!.keys()) {
    const parsed = managementAddress(suffix);
    if (parsed && !addressOf.has(parsed.row)) addressOf.set(parsed.row, parsed.address);
  }
  const cell = (column: string, suffix: string): Varbind | undefined => remote.get(column)!.get(suffix);
  const out: NeighbourListing[] = [];
  for (const row of [...rows].slice(0, MAX_NEIGHBOURS)) {
    const localPortNum = Number(row.split('.')[1]);
    const localPort = text(local.get(OID.lldpLocPortId)!.get(String(localPortNum))?.value) ?? text(local.get(OID.lldpLocPortDesc)!.get(String(localPortNum))?.value);
    out.push({
      localPortNum,
      localPort,
      chassisId: identifier(cell(OID.lldpRemChassisId, row)?.value, cell(OID.lldpRemChassisIdSubtype, row)?.value === MAC_SUBTYPE.chassis),
      portId: identifier(cell(OID.lldpRemPortId, row)?.value, cell(OID.lldpRemPortIdSubtype, row)?.value === MAC_SUBTYPE.port),
      portDescr: text(cell(OID.lldpRemPortDesc, row)?.value),
      sysName: text(cell(OID.lldpRemSysName, row)?.value),
      managementAddress: addressOf.get(row) ?? null,
    });
  }
  return out.sort((a, b) => a.localPortNum - b.localPortNum || (a.sysName ?? '').localeCompare(b.sysName ?? ''));
}

/**
 * The row and address in an lldpRemManAddrTable index: timeMark.localPort.remIndex, then the
 * address family (1 IPv4, 2 IPv6), the address's length and its octets.
 */
function managementAddress(suffix: string): { row: string; address: string } | null {
  const parts = suffix.split('.').map(Number);
  if (parts.length < 5) return null;
  const [family, length] = [parts[3], parts[4]];
  const octets = parts.slice(5, 5 + length);
  if (octets.length !== length) return null;
  const row = parts.slice(0, 3).join('.');
  if ((family === 1 && length === 4) || (family === 2 && length === 16)) return { row, address: ipaddr.fromByteArray(octets).toString() };
  return null;
}

/** A chassis or port id: a MAC address as aa:bb:cc:dd:ee:ff, printable text as itself, other bytes in hex. */
function identifier(value: unknown, mac: boolean): string | null {
  if (!Buffer.isBuffer(value)) return text(value);
  if (value.length === 0) return null;
  if (mac || !/^[\x20-\x7e]+$/.test(value.toString('latin1'))) return [...value].map((b) => b.toString(16).padStart(2, '0')).join(':');
  return text(value);
}

function text(value: unknown): string | null {
  const s = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : null;
  if (s === null) return null;
  const clean = s.replace(/\0+$/, '').replace(/\0/g, '\uFFFD').trim();
  return clean === '' ? null : clean.slice(0, MAX_TEXT);
}
