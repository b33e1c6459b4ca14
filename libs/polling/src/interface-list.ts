import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { InterfaceListing } from '@app/snmp';
import type { InterfaceEventKind } from './entities';

/** An interface row as it stands before a new listing. */
export interface KnownInterface {
  id: string;
  ifIndex: number;
  name: string;
  gone: boolean;
}

export interface InterfaceChange {
  kind: InterfaceEventKind;
  id: string;
  ifIndex: number;
  name: string;
  previous: string | null;
}

export interface InterfacePlan {
  /** New rows (appeared, or the first listing), with their ids. */
  inserts: Array<InterfaceListing & { id: string }>;
  /** Rows listed again (updated in place; a gone one comes back). */
  updates: Array<InterfaceListing & { id: string }>;
  /** Live rows no longer listed. */
  gone: string[];
  /** What changed, for the device's interface history; none for a device's first listing. */
  changes: InterfaceChange[];
  /** The listing is the stored list, field for field: nothing was written. */
  unchanged?: boolean;
}

/** Whether the device's live interface rows are this listing, field for field. */
async function sameAsStored(ds: DataSource, deviceId: string, listing: readonly InterfaceListing[]): Promise<boolean> {
  const rows: InterfaceListing[] = await ds.query(
    `SELECT if_index AS "ifIndex", name, alias, descr, type, speed_mbps AS "speedMbps", admin_status AS "adminStatus", oper_status AS "operStatus"
       FROM device_interface WHERE device_id = $1 AND gone_at IS NULL ORDER BY if_index`,
    [deviceId],
  );
  if (rows.length !== listing.length || rows.length === 0) return false;
  const sorted = [...listing].sort((a, b) => a.ifIndex - b.ifIndex);
  const keys: Array<keyof InterfaceListing> = ['ifIndex', 'name', 'alias', 'descr', 'type', 'speedMbps', 'adminStatus', 'operStatus'];
  return rows.every((r, i) => keys.every((k) => (k === 'ifIndex' ? Number(r[k]) : r[k]) === sorted[i][k]));
}

/**
 * Matches a new listing against the rows known, by name first (what admins know, and what survives
 * a reboot that renumbers ifIndex), then by ifIndex (an interface renamed in place). Pure.
 */
export function planInterfaces(known: readonly KnownInterface[], listing: readonly InterfaceListing[]): InterfacePlan {
  const first = known.length === 0;
  const plan: InterfacePlan = { inserts: [], updates: [], gone: [], changes: [] };
  const used = new Set<string>();
  // Names that are unique on each side: a name listed twice (some agents repeat ifDescr) is matched by ifIndex.
  const count = <T>(xs: readonly T[], key: (x: T) => string) => xs.reduce((m, x) => m.set(key(x), (m.get(key(x)) ?? 0) + 1), new Map<string, number>());
  const listedNames = count(listing, (l) => l.name);
  const live = known.filter((k) => !k.gone);
  const liveNames = count(live, (k) => k.name);
  const byName = new Map<string, KnownInterface>();
  for (const k of live) if (liveNames.get(k.name) === 1) byName.set(k.name, k);
  // A gone row comes back by name when no live one has it (a module put back in).
  for (const k of known) if (k.gone && !liveNames.has(k.name) && !byName.has(k.name)) byName.set(k.name, k);
  const byIndex = new Map(live.map((k) => [k.ifIndex, k]));

  const unmatched: InterfaceListing[] = [];
  for (const l of listing) {
    const k = listedNames.get(l.name) === 1 ? byName.get(l.name) : undefined;
    if (!k) {
      unmatched.push(l);
      continue;
    }
    used.add(k.id);
    plan.updates.push({ ...l, id: k.id });
    if (k.gone) plan.changes.push({ kind: 'appeared', id: k.id, ifIndex: l.ifIndex, name: l.name, previous: null });
    else if (k.ifIndex !== l.ifIndex) plan.changes.push({ kind: 'renumbered', id: k.id, ifIndex: l.ifIndex, name: l.name, previous: String(k.ifIndex) });
  }
  for (const l of unmatched) {
    const k = byIndex.get(l.ifIndex);
    if (k && !used.has(k.id)) {
      used.add(k.id);
      plan.updates.push({ ...l, id: k.id });
      if (k.name !== l.name) plan.changes.push({ kind: 'renamed', id: k.id, ifIndex: l.ifIndex, name: l.name, previous: k.name });
      continue;
    }
    const id = randomUUID();
    plan.inserts.push({ ...l, id });
    if (!first) plan.changes.push({ kind: 'appeared', id, ifIndex: l.ifIndex, name: l.name, previous: null });
  }
  for (const k of live) {
    if (used.has(k.id)) continue;
    plan.gone.push(k.id);
    plan.changes.push({ kind: 'disappeared', id: k.id, ifIndex: k.ifIndex, name: k.name, previous: null });
  }
  return plan;
}

/**
 * Writes a device's new interface listing in one transaction: rows matched, added and gone, and the
 * changes in its history. (The caller moves the WAN links of renumbered interfaces, audited.)
 */
export async function saveInterfaces(ds: DataSource, deviceId: string, listing: readonly InterfaceListing[], at: Date): Promise<InterfacePlan> {
  // Most listings are the device's list as it stands: one read says so, and nothing is written.
  if (await sameAsStored(ds, deviceId, listing)) return { inserts: [], updates: [], gone: [], changes: [], unchanged: true };
  return ds.transaction(async (m) => {
    // Serialises two listings of one device (a poller restarting while the other still writes).
    await m.query(`SELECT 1 FROM device WHERE id = $1 FOR UPDATE`, [deviceId]);
    const known: KnownInterface[] = (
      await m.query(`SELECT id, if_index AS "ifIndex", name, gone_at IS NOT NULL AS gone FROM device_interface WHERE device_id = $1 ORDER BY gone_at DESC NULLS FIRST`, [deviceId])
    ).map((r: KnownInterface) => ({ ...r, ifIndex: Number(r.ifIndex) }));
    const plan = planInterfaces(known, listing);
    const cols = (rows: Array<InterfaceListing & { id: string }>) => [
      rows.map((r) => r.id),
      rows.map((r) => r.ifIndex),
      rows.map((r) => r.name),
      rows.map((r) => r.alias),
      rows.map((r) => r.descr),
      rows.map((r) => r.type),
      rows.map((r) => r.speedMbps),
      rows.map((r) => r.adminStatus),
      rows.map((r) => r.operStatus),
    ];
    const UNNEST = `unnest($1::uuid[], $2::int[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::int[], $8::varchar[], $9::varchar[]) AS x(id, if_index, name, alias, descr, type, speed_mbps, admin_status, oper_status)`;
    // Gone first, then renumbered rows parked out of the way: the live (device, ifIndex) index stays unique at every statement.
    if (plan.gone.length > 0) await m.query(`UPDATE device_interface SET gone_at = $2 WHERE id = ANY($1)`, [plan.gone, at]);
    if (plan.updates.length > 0) {
      await m.query(`UPDATE device_interface SET if_index = -1 - if_index WHERE id = ANY($1) AND gone_at IS NULL`, [plan.updates.map((u) => u.id)]);
      await m.query(
        `UPDATE device_interface d SET if_index = x.if_index, name = x.name, alias = x.alias, descr = x.descr, type = x.type, speed_mbps = x.speed_mbps,
                admin_status = x.admin_status, oper_status = x.oper_status, last_seen_at = $10, gone_at = NULL
           FROM ${UNNEST} WHERE d.id = x.id`,
        [...cols(plan.updates), at],
      );
    }
    if (plan.inserts.length > 0) {
      await m.query(
        `INSERT INTO device_interface (id, device_id, if_index, name, alias, descr, type, speed_mbps, admin_status, oper_status, first_seen_at, last_seen_at)
         SELECT x.id, $10, x.if_index, x.name, x.alias, x.descr, x.type, x.speed_mbps, x.admin_status, x.oper_status, $11, $11 FROM ${UNNEST}`,
        [...cols(plan.inserts), deviceId, at],
      );
    }
    if (plan.changes.length > 0) {
      const c = plan.changes;
      await m.query(
        `INSERT INTO interface_event (device_id, interface_id, at, kind, if_index, name, previous)
         SELECT $1, x.id, $2, x.kind, x.if_index, x.name, x.previous FROM unnest($3::uuid[], $4::varchar[], $5::int[], $6::varchar[], $7::varchar[]) AS x(id, kind, if_index, name, previous)`,
        [deviceId, at, c.map((x) => x.id), c.map((x) => x.kind), c.map((x) => x.ifIndex), c.map((x) => x.name), c.map((x) => x.previous)],
      );
    }
    return plan;
  });
}
