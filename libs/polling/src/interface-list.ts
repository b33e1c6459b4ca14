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

const KEYS: Array<keyof InterfaceListing> = ['ifIndex', 'name', 'alias', 'descr', 'type', 'speedMbps', 'adminStatus', 'operStatus'];

/** The devices (of those given) whose live interface rows are their listing, field for field: one read for them all. */
async function sameAsStored(ds: DataSource, items: ReadonlyArray<{ deviceId: string; listing: readonly InterfaceListing[] }>): Promise<Set<string>> {
  const rows: Array<InterfaceListing & { deviceId: string }> = await ds.query(
    `SELECT device_id AS "deviceId", if_index AS "ifIndex", name, alias, descr, type, speed_mbps AS "speedMbps", admin_status AS "adminStatus", oper_status AS "operStatus"
       FROM device_interface WHERE device_id = ANY($1) AND gone_at IS NULL ORDER BY device_id, if_index`,
    [items.map((i) => i.deviceId)],
  );
  const stored = new Map<string, InterfaceListing[]>();
  for (const r of rows) {
    const list = stored.get(r.deviceId) ?? [];
    list.push({ ...r, ifIndex: Number(r.ifIndex) });
    stored.set(r.deviceId, list);
  }
  const same = new Set<string>();
  for (const { deviceId, listing } of items) {
    const have = stored.get(deviceId) ?? [];
    if (have.length === 0 || have.length !== listing.length) continue;
    const sorted = [...listing].sort((x, y) => x.ifIndex - y.ifIndex);
    if (have.every((r, i) => KEYS.every((k) => r[k] === sorted[i][k]))) same.add(deviceId);
  }
  return same;
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
  return (await saveInterfacesMany(ds, [{ deviceId, listing, at }])).get(deviceId)!;
}

/** One device's listing to write. */
export interface ListingToSave {
  deviceId: string;
  listing: readonly InterfaceListing[];
  at: Date;
}

/**
 * Writes the new interface listings of many devices (a device at most once) in one transaction:
 * one read finds those that equal their stored list (nothing written for them), then the others'
 * rows are read, planned, and written with one statement of each kind for them all. A device's
 * first listing inserts its rows and records no change.
 */
export async function saveInterfacesMany(ds: DataSource, items: readonly ListingToSave[]): Promise<Map<string, InterfacePlan>> {
  const out = new Map<string, InterfacePlan>();
  if (items.length === 0) return out;
  const same = await sameAsStored(ds, items);
  for (const id of same) out.set(id, { inserts: [], updates: [], gone: [], changes: [], unchanged: true });
  const changed = items.filter((i) => !same.has(i.deviceId)).sort((x, y) => (x.deviceId < y.deviceId ? -1 : x.deviceId > y.deviceId ? 1 : 0));
  if (changed.length === 0) return out;
  await ds.transaction(async (m) => {
    const ids = changed.map((i) => i.deviceId);
    // Serialises two listings of one device (a poller restarting while the other still writes); in id order, so two batches cannot deadlock.
    await m.query(`SELECT 1 FROM device WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [ids]);
    const known = new Map<string, KnownInterface[]>();
    const rows: Array<KnownInterface & { deviceId: string }> = await m.query(
      `SELECT device_id AS "deviceId", id, if_index AS "ifIndex", name, gone_at IS NOT NULL AS gone FROM device_interface WHERE device_id = ANY($1) ORDER BY device_id, gone_at DESC NULLS FIRST`,
      [ids],
    );
    for (const { deviceId, ...r } of rows) {
      const list = known.get(deviceId) ?? [];
      list.push({ ...r, ifIndex: Number(r.ifIndex) });
      known.set(deviceId, list);
    }
    type Row = InterfaceListing & { id: string; deviceId: string; at: Date };
    const inserts: Row[] = [];
    const updates: Row[] = [];
    const gone: Array<{ id: string; at: Date }> = [];
    const events: Array<InterfaceChange & { deviceId: string; at: Date }> = [];
    for (const { deviceId, listing, at } of changed) {
      const plan = planInterfaces(known.get(deviceId) ?? [], listing);
      out.set(deviceId, plan);
      inserts.push(...plan.inserts.map((r) => ({ ...r, deviceId, at })));
      updates.push(...plan.updates.map((r) => ({ ...r, deviceId, at })));
      gone.push(...plan.gone.map((id) => ({ id, at })));
      events.push(...plan.changes.map((c) => ({ ...c, deviceId, at })));
    }
    const cols = (list: Row[]) => [
      list.map((r) => r.id),
      list.map((r) => r.ifIndex),
      list.map((r) => r.name),
      list.map((r) => r.alias),
      list.map((r) => r.descr),
      list.map((r) => r.type),
      list.map((r) => r.speedMbps),
      list.map((r) => r.adminStatus),
      list.map((r) => r.operStatus),
      list.map((r) => r.deviceId),
      list.map((r) => r.at),
    ];
    const UNNEST = `unnest($1::uuid[], $2::int[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::int[], $8::varchar[], $9::varchar[], $10::uuid[], $11::timestamptz[])
      AS x(id, if_index, name, alias, descr, type, speed_mbps, admin_status, oper_status, device_id, at)`;
    // Gone first, then renumbered rows parked out of the way: the live (device, ifIndex) index stays unique at every statement.
    if (gone.length > 0) {
      await m.query(`UPDATE device_interface d SET gone_at = x.at FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, at) WHERE d.id = x.id`, [gone.map((g) => g.id), gone.map((g) => g.at)]);
    }
    if (updates.length > 0) {
      await m.query(`UPDATE device_interface SET if_index = -1 - if_index WHERE id = ANY($1) AND gone_at IS NULL`, [updates.map((u) => u.id)]);
      await m.query(
        `UPDATE device_interface d SET if_index = x.if_index, name = x.name, alias = x.alias, descr = x.descr, type = x.type, speed_mbps = x.speed_mbps,
                admin_status = x.admin_status, oper_status = x.oper_status, last_seen_at = x.at, gone_at = NULL
           FROM ${UNNEST} WHERE d.id = x.id`,
        cols(updates),
      );
    }
    if (inserts.length > 0) {
      await m.query(
        `INSERT INTO device_interface (id, device_id, if_index, name, alias, descr, type, speed_mbps, admin_status, oper_status, first_seen_at, last_seen_at)
         SELECT x.id, x.device_id, x.if_index, x.name, x.alias, x.descr, x.type, x.speed_mbps, x.admin_status, x.oper_status, x.at, x.at FROM ${UNNEST}`,
        cols(inserts),
      );
    }
    if (events.length > 0) {
      const e = events;
      await m.query(
        `INSERT INTO interface_event (device_id, interface_id, at, kind, if_index, name, previous)
         SELECT x.device_id, x.id, x.at, x.kind, x.if_index, x.name, x.previous
           FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::varchar[], $5::int[], $6::varchar[], $7::varchar[]) AS x(device_id, at, id, kind, if_index, name, previous)`,
        [e.map((x) => x.deviceId), e.map((x) => x.at), e.map((x) => x.id), e.map((x) => x.kind), e.map((x) => x.ifIndex), e.map((x) => x.name), e.map((x) => x.previous)],
      );
    }
  });
  return out;
}
