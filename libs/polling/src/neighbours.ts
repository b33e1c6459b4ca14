import type { DataSource } from 'typeorm';
import type { NeighbourListing } from '@app/snmp';
import { DeviceNeighbour } from './entities';

const keyOf = (n: Pick<NeighbourListing, 'localPortNum' | 'chassisId' | 'portId'>) => `${n.localPortNum}|${n.chassisId ?? ''}|${n.portId ?? ''}`;
const FIELDS = ['localPort', 'chassisId', 'portId', 'portDescr', 'sysName', 'managementAddress'] as const;

/**
 * Writes a device's neighbours as LLDP lists them now, in one transaction: a list equal to the
 * stored one writes nothing; otherwise the rows are replaced, each keeping when it was first heard
 * (same local port, chassis and port). Returns whether anything was written.
 */
export async function saveNeighbours(ds: DataSource, deviceId: string, listing: readonly NeighbourListing[], at: Date): Promise<boolean> {
  // Most devices hear nothing (or have no LLDP-MIB): one read, no transaction.
  if (listing.length === 0 && !(await ds.getRepository(DeviceNeighbour).exists({ where: { deviceId } }))) return false;
  return ds.transaction(async (m) => {
    // Serialises two listings of one device, as the interface list does.
    await m.query(`SELECT 1 FROM device WHERE id = $1 FOR UPDATE`, [deviceId]);
    const stored = await m.getRepository(DeviceNeighbour).find({ where: { deviceId }, order: { id: 'ASC' } });
    const before = new Map(stored.map((s) => [keyOf(s), s]));
    const same = stored.length === listing.length && listing.every((l) => FIELDS.every((f) => before.get(keyOf(l))?.[f] === l[f]));
    if (same) return false;
    await m.getRepository(DeviceNeighbour).delete({ deviceId });
    if (listing.length > 0) {
      await m.getRepository(DeviceNeighbour).insert(listing.map((l) => ({ deviceId, ...l, firstSeenAt: before.get(keyOf(l))?.firstSeenAt ?? at, lastSeenAt: at })));
    }
    return true;
  });
}

/** A registered device a neighbour is (within the caller's scope), and what matched. */
export interface NeighbourMatch {
  deviceId: string;
  name: string | null;
  by: 'managementAddress' | 'sysName';
}

export type NeighbourView = DeviceNeighbour & { match: NeighbourMatch | null };

/** A link between two registered devices that LLDP proposes: each side's device and port, and whether both ends hear each other. */
export interface ProposedLink {
  a: { deviceId: string; name: string | null; port: string | null };
  b: { deviceId: string; name: string | null; port: string | null };
  heardBy: 'both' | 'a';
  lastSeenAt: Date;
}

/**
 * SQL: the registered device a neighbour row `n` is, visible within `within` (a condition on `d`):
 * its management address first, else its name equal to the neighbour's sysName (case aside).
 */
const MATCH = (within: string) => `LEFT JOIN LATERAL (
    SELECT d.id, d.name, CASE WHEN n.management_address IS NOT NULL AND d.management_address = n.management_address THEN 'managementAddress' ELSE 'sysName' END AS by
      FROM device d
     WHERE ((n.management_address IS NOT NULL AND d.management_address = n.management_address) OR (n.sys_name IS NOT NULL AND lower(d.name) = lower(n.sys_name)))
       AND d.id <> n.device_id AND ${within}
     ORDER BY (n.management_address IS NOT NULL AND d.management_address = n.management_address) DESC, d.id
     LIMIT 1) m ON true`;

type Row = DeviceNeighbour & { matchId: string | null; matchName: string | null; matchBy: NeighbourMatch['by'] | null; deviceName: string | null };

const SELECT = `n.id, n.device_id AS "deviceId", n.local_port_num AS "localPortNum", n.local_port AS "localPort", n.chassis_id AS "chassisId", n.port_id AS "portId",
  n.port_descr AS "portDescr", n.sys_name AS "sysName", n.management_address AS "managementAddress", n.first_seen_at AS "firstSeenAt", n.last_seen_at AS "lastSeenAt",
  m.id AS "matchId", m.name AS "matchName", m.by AS "matchBy"`;

/** A device's neighbours, each with the registered device it is (or null). */
export async function neighboursOf(ds: DataSource, deviceId: string, withinSql: (column: string, params: unknown[]) => string): Promise<NeighbourView[]> {
  const params: unknown[] = [deviceId];
  const within = withinSql('d.agency_id', params);
  const rows: Row[] = await ds.query(`SELECT ${SELECT} FROM device_neighbour n ${MATCH(within)} WHERE n.device_id = $1 ORDER BY n.local_port_num, n.id`, params);
  return rows.map(({ matchId, matchName, matchBy, deviceName: _, ...n }) => ({ ...n, match: matchId ? { deviceId: matchId, name: matchName, by: matchBy! } : null }));
}

/**
 * Links between registered devices (both within scope) that LLDP proposes: a device hearing
 * another on a port. The two ends' reports of one cable are merged (heardBy "both").
 */
export async function proposedLinks(ds: DataSource, withinSql: (column: string, params: unknown[]) => string): Promise<ProposedLink[]> {
  const params: unknown[] = [];
  const within = withinSql('d.agency_id', params);
  const own = withinSql('a.agency_id', params);
  const rows: Row[] = await ds.query(
    `SELECT ${SELECT}, a.name AS "deviceName" FROM device_neighbour n JOIN device a ON a.id = n.device_id ${MATCH(within)} WHERE m.id IS NOT NULL AND ${own} ORDER BY a.name, n.local_port_num`,
    params,
  );
  const links: Array<ProposedLink & { pair: string }> = [];
  for (const r of rows) {
    // Seen from r's device: its local port, and the port the other end names.
    const mine = { deviceId: r.deviceId, name: r.deviceName, port: r.localPort };
    const theirs = { deviceId: r.matchId!, name: r.matchName, port: r.portId };
    const pair = [r.deviceId, r.matchId].sort().join('|');
    const same = links.find((l) => l.pair === pair && l.a.deviceId === theirs.deviceId && (l.a.port === theirs.port || l.b.port === mine.port));
    if (same) {
      same.heardBy = 'both';
      same.b.port ??= mine.port;
      if (r.lastSeenAt > same.lastSeenAt) same.lastSeenAt = r.lastSeenAt;
      continue;
    }
    links.push({ pair, a: mine, b: theirs, heardBy: 'a', lastSeenAt: r.lastSeenAt });
  }
  return links.map(({ pair: _, ...l }) => l);
}
