import { hostname } from 'node:os';
import type { DataSource, EntityManager } from 'typeorm';
import { agencyWithinSql, type ChangeContext, type DevicesService, EVERYWHERE, InventoryError, type Scope, type WanLinksService } from '@app/inventory';
import type { InterfaceListing, NeighbourListing, SnmpCredentials, SnmpFailure } from '@app/snmp';
import { saveNeighbours } from './neighbours';
import { openCredentials } from './credentials';
import { type InterfacePlan, type ListingToSave, saveInterfacesMany } from './interface-list';
import { DevicePollState, type InterfaceRow, PollerRun, SnmpProfile } from './entities';
import { type CarriedLink, type DeviceMemory, emptyMemory, type LedgerEvent, type TrafficPoint, type UptimeSource } from './poll-state';
import type { SecretBox } from './secret-box';

export interface PollTarget {
  deviceId: string;
  address: string;
  port: number;
  timeoutMs: number;
  retries: number;
  intervalSeconds: number;
  credentials: SnmpCredentials;
  links: CarriedLink[];
  /** Ask ENTITY-MIB for serial, model, manufacturer: the inventory has none of them. */
  wantsChassis: boolean;
  fingerprint: string;
}

const CHUNK = 2000;

export interface PollRecord {
  deviceId: string;
  memory: DeviceMemory;
  events: LedgerEvent[];
  changed: boolean;
  polledAt: number;
  /** 5-minute traffic points the poll closed. */
  points?: TrafficPoint[];
}

/** The poller's reads and writes. Writes happen when something changed, in one transaction per flush. */
export class PollingStore {
  constructor(
    private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly devices: DevicesService,
    private readonly wanLinks?: WanLinksService,
  ) {}

  /**
   * A device's new interface listing: rows and history; then its WAN links brought in line through
   * the inventory (audited as the poller's change): a link named by interface gets that interface's
   * ifIndex of the day (none when the device no longer lists it), and one bound by ifIndex alone
   * gets the name listed there, so it follows the interface when a reboot renumbers them.
   */
  /** Devices that hear no one over LLDP (or have no LLDP-MIB): their stored neighbours, if any, are gone. One statement for them all. */
  async clearNeighbours(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length > 0) await this.ds.query(`DELETE FROM device_neighbour WHERE device_id = ANY($1)`, [deviceIds]);
  }

  /** A device's LLDP neighbours as last read; whether anything was written. */
  saveNeighbours(deviceId: string, listing: readonly NeighbourListing[], at: Date): Promise<boolean> {
    return saveNeighbours(this.ds, deviceId, listing, at);
  }

  async saveInterfaces(deviceId: string, listing: readonly InterfaceListing[], at: Date): Promise<InterfacePlan> {
    return (await this.saveInterfacesMany([{ deviceId, listing, at }])).get(deviceId)!;
  }

  /**
   * Many devices' interface listings in one transaction (saveInterfacesMany), then the WAN links of
   * the devices whose list changed brought in line: a link named by interface follows its ifIndex, a
   * link bound by ifIndex alone is named (audited, one write for them all).
   */
  async saveInterfacesMany(items: readonly ListingToSave[]): Promise<Map<string, InterfacePlan>> {
    const plans = await saveInterfacesMany(this.ds, items);
    const changed = items.filter((i) => !plans.get(i.deviceId)?.unchanged);
    if (!this.wanLinks || changed.length === 0) return plans;
    const links: Array<{ id: string; deviceId: string; ifIndex: number | null; interfaceName: string | null }> = await this.ds.query(
      `SELECT id, device_id AS "deviceId", if_index AS "ifIndex", interface_name AS "interfaceName" FROM wan_link WHERE device_id = ANY($1) AND (if_index IS NOT NULL OR interface_name IS NOT NULL)`,
      [changed.map((i) => i.deviceId)],
    );
    if (links.length === 0) return plans;
    const listings = new Map(changed.map((i) => [i.deviceId, i.listing]));
    const changes: Array<{ id: string; ifIndex?: number | null; interfaceName?: string }> = [];
    for (const l of links) {
      const listing = listings.get(l.deviceId) ?? [];
      if (l.interfaceName !== null) {
        const want = listing.find((x) => x.name === l.interfaceName)?.ifIndex ?? null;
        if (want !== l.ifIndex) changes.push({ id: l.id, ifIndex: want });
      } else if (l.ifIndex !== null) {
        const named = listing.find((x) => x.ifIndex === l.ifIndex);
        if (named) changes.push({ id: l.id, interfaceName: named.name });
      }
    }
    if (changes.length > 0) await this.wanLinks.updateMany(changes, { actor: `poller@${hostname()}`, source: 'poller', scope: EVERYWHERE });
    return plans;
  }

  /**
   * A cheap fingerprint of everything targets() reads: when it has not changed, the poller does
   * not re-read (and decrypt) the whole fleet.
   */
  async version(group: string): Promise<string> {
    const [row] = await this.ds.query(
      `SELECT (SELECT count(*) || '/' || COALESCE(max(p.updated_at)::text, '') || '/' || COALESCE(max(d.updated_at)::text, '')
                 FROM snmp_profile p JOIN device d ON d.id = p.device_id WHERE p.poller_group = $1) AS profiles,
              (SELECT count(*) || '/' || COALESCE(max(l.updated_at)::text, '') FROM wan_link l WHERE l.if_index IS NOT NULL) AS links,
              (SELECT count(*) || '/' || COALESCE(sum(i.if_index), 0) FROM device_interface i WHERE i.monitored AND i.gone_at IS NULL) AS monitored`,
      [group],
    );
    return `${row.profiles}|${row.links}|${row.monitored}`;
  }

  /** Enabled profiles of a group's devices that are in service and have a management address (within a scope, for a scoped poller token). */
  async targets(group: string, scope: Scope = EVERYWHERE): Promise<PollTarget[]> {
    const params: unknown[] = [group];
    const within = agencyWithinSql(scope, 'd.agency_id', params);
    const rows: Array<SnmpProfile & { address: string; serialNumber: string | null; model: string | null; manufacturer: string | null; chassisProblem: boolean | null }> = await this.ds.query(
      `SELECT p.device_id AS "deviceId", p.version, p.community_secret AS "communitySecret", p.v3_user AS "v3User",
              p.auth_protocol AS "authProtocol", p.auth_key_secret AS "authKeySecret", p.priv_protocol AS "privProtocol",
              p.priv_key_secret AS "privKeySecret", p.port, p.timeout_ms AS "timeoutMs", p.retries, p.interval_seconds AS "intervalSeconds",
              p.updated_at AS "updatedAt", d.management_address AS address, d.serial_number AS "serialNumber", d.model, d.manufacturer,
              (SELECT s.chassis_problem IS NOT NULL FROM device_poll_state s WHERE s.device_id = p.device_id) AS "chassisProblem"
         FROM snmp_profile p JOIN device d ON d.id = p.device_id
        WHERE p.enabled AND p.poller_group = $1 AND d.status IN ('active', 'faulty') AND d.management_address IS NOT NULL AND ${within}`,
      params,
    );
    const byDevice = await this.carriedLinks(rows.map((r) => r.deviceId));
    return rows.map((p) => {
      const credentials = openCredentials(p, this.secrets);
      const deviceLinks = byDevice.get(p.deviceId) ?? [];
      return {
        deviceId: p.deviceId,
        address: p.address,
        port: p.port,
        timeoutMs: p.timeoutMs,
        retries: p.retries,
        intervalSeconds: p.intervalSeconds,
        credentials,
        links: deviceLinks,
        // A device that says nothing yet of its chassis, or whose last fill was refused (tried again
        // when its targets are read afresh: the admin may have mended what stood in the way).
        wantsChassis: (!p.serialNumber && !p.model && !p.manufacturer) || p.chassisProblem === true,
        fingerprint: `${p.address}|${p.port}|${p.timeoutMs}|${p.retries}|${p.intervalSeconds}|${new Date(p.updatedAt).getTime()}|${deviceLinks.map((l) => `${l.ifIndex}:${l.wanLinkId}`).join(',')}`,
      };
    });
  }

  /**
   * The interfaces each device's polls read, by ifIndex: those that carry a WAN link in service,
   * and those an admin marked monitored (without a link).
   */
  async carriedLinks(deviceIds: string[]): Promise<Map<string, CarriedLink[]>> {
    const out = new Map<string, CarriedLink[]>();
    if (deviceIds.length === 0) return out;
    const rows: Array<{ deviceId: string; ifIndex: number; id: string | null }> = await this.ds.query(
      `SELECT device_id AS "deviceId", if_index AS "ifIndex", id FROM wan_link
        WHERE device_id = ANY($1) AND if_index IS NOT NULL AND status IN ('active', 'faulty')
       UNION ALL
       SELECT i.device_id, i.if_index, NULL FROM device_interface i
        WHERE i.device_id = ANY($1) AND i.monitored AND i.gone_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM wan_link l WHERE l.device_id = i.device_id AND l.if_index = i.if_index AND l.status IN ('active', 'faulty'))
       ORDER BY 1, 2`,
      [deviceIds],
    );
    for (const l of rows) {
      const list = out.get(l.deviceId) ?? [];
      list.push({ ifIndex: l.ifIndex, wanLinkId: l.id });
      out.set(l.deviceId, list);
    }
    return out;
  }

  /** What the ledger and the latest-poll rows say of these devices, for a poller that starts. */
  async memories(deviceIds: string[]): Promise<Map<string, DeviceMemory>> {
    const out = new Map<string, DeviceMemory>();
    if (deviceIds.length === 0) return out;
    for (const id of deviceIds) out.set(id, emptyMemory());
    const states = await this.ds.getRepository(DevicePollState).createQueryBuilder('s').where('s.device_id = ANY(:ids)', { ids: deviceIds }).getMany();
    for (const s of states) {
      Object.assign(out.get(s.deviceId)!, {
        state: s.state,
        since: s.since.getTime(),
        lastAnswerAt: s.lastAnswerAt?.getTime() ?? null,
        uptimeSource: s.uptimeSource as UptimeSource | null,
        uptimeTicks: s.uptimeTicks,
        uptimeFrozenSince: s.uptimeFrozenSince?.getTime() ?? null,
        polledAt: s.polledAt.getTime(),
        bootedAt: s.bootedAt?.getTime() ?? null,
        engineBoots: s.engineBoots,
        sysName: s.sysName,
        sysDescr: s.sysDescr,
        sysObjectId: s.sysObjectId,
        sysLocation: s.sysLocation,
        sysContact: s.sysContact,
        chassisProblem: s.chassisProblem,
        interfaces: interfacesFromRow(s.interfaces),
        lastFailure: s.lastFailure as SnmpFailure | null,
        lastFailureMessage: s.lastFailureMessage,
      });
    }
    const open: Array<{ deviceId: string; cause: string; ifIndex: number | null; startedAt: Date }> = await this.ds.query(
      `SELECT device_id AS "deviceId", cause, if_index AS "ifIndex", started_at AS "startedAt" FROM outage WHERE ended_at IS NULL AND device_id = ANY($1)`,
      [deviceIds],
    );
    for (const o of open) {
      const m = out.get(o.deviceId)!;
      if (o.cause === 'unreachable') m.unreachableSince = new Date(o.startedAt).getTime();
      if (o.cause === 'interface_down' && o.ifIndex !== null) m.interfacesDown = [...m.interfacesDown, o.ifIndex];
    }
    const monitored: Array<{ deviceId: string }> = await this.ds.query(`SELECT device_id AS "deviceId" FROM device_monitoring WHERE ended_at IS NULL AND device_id = ANY($1)`, [deviceIds]);
    // A device that refuses the credentials has no open span: its next answer opens one.
    for (const m of monitored) out.get(m.deviceId)!.monitored = true;
    return out;
  }

  /** Writes ledger events and changed latest-poll rows in one transaction. Returns rows written. */
  async flush(records: PollRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    return this.ds.transaction(async (m) => {
      let writes = 0;
      // First polls open a monitoring span each: one statement for all of them. A device whose
      // monitoring also pauses in this batch has its events applied one by one, in order.
      const pausing = new Set(records.filter((r) => r.events.some((e) => e.kind === 'unmonitor')).map((r) => r.deviceId));
      const monitors = records.flatMap((r) => (pausing.has(r.deviceId) ? [] : r.events.filter((e) => e.kind === 'monitor').map((e) => ({ deviceId: r.deviceId, at: new Date(e.at) }))));
      for (let i = 0; i < monitors.length; i += CHUNK) {
        const chunk = monitors.slice(i, i + CHUNK);
        await m.query(
          `INSERT INTO device_monitoring (device_id, started_at)
           SELECT DISTINCT ON (u.device_id) u.device_id, u.started_at FROM unnest($1::uuid[], $2::timestamptz[]) AS u(device_id, started_at)
            WHERE NOT EXISTS (SELECT 1 FROM device_monitoring s WHERE s.device_id = u.device_id AND s.ended_at IS NULL)
            ORDER BY u.device_id, u.started_at`,
          [chunk.map((x) => x.deviceId), chunk.map((x) => x.at)],
        );
        writes += chunk.length;
      }
      for (const r of records) for (const e of r.events) if (e.kind !== 'monitor' || pausing.has(r.deviceId)) writes += await this.applyEvent(m, r.deviceId, e);
      writes += await writeTrafficPoints(m, records);
      // One row per device: a batch can hold several polls of the same device; the last one wins.
      const latest = new Map<string, PollRecord>();
      for (const r of records) if (r.changed && r.memory.state !== null) latest.set(r.deviceId, r);
      const changed = [...latest.values()];
      // One statement per chunk, one array per column (not a parameter per value).
      for (let i = 0; i < changed.length; i += CHUNK) {
        const rows = changed.slice(i, i + CHUNK).map((r) => stateRow(r));
        const col = <K extends keyof DevicePollState>(k: K) => rows.map((r) => r[k] ?? null);
        await m.query(
          `INSERT INTO device_poll_state (device_id, state, since, polled_at, last_answer_at, uptime_source, uptime_ticks, booted_at, engine_boots, sys_name, sys_descr, sys_object_id, interfaces, last_failure, last_failure_message, uptime_frozen_since, sys_location, sys_contact, chassis_problem)
           SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::varchar[], $7::bigint[], $8::timestamptz[], $9::int[], $10::varchar[], $11::text[], $12::varchar[], $13::jsonb[], $14::varchar[], $15::text[], $16::timestamptz[], $17::varchar[], $18::varchar[], $19::varchar[])
           ON CONFLICT (device_id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since, polled_at = EXCLUDED.polled_at, last_answer_at = EXCLUDED.last_answer_at,
             uptime_source = EXCLUDED.uptime_source, uptime_ticks = EXCLUDED.uptime_ticks, booted_at = EXCLUDED.booted_at, engine_boots = EXCLUDED.engine_boots,
             sys_name = EXCLUDED.sys_name, sys_descr = EXCLUDED.sys_descr, sys_object_id = EXCLUDED.sys_object_id, interfaces = EXCLUDED.interfaces,
             last_failure = EXCLUDED.last_failure, last_failure_message = EXCLUDED.last_failure_message, uptime_frozen_since = EXCLUDED.uptime_frozen_since,
             sys_location = EXCLUDED.sys_location, sys_contact = EXCLUDED.sys_contact, chassis_problem = EXCLUDED.chassis_problem`,
          [
            col('deviceId'),
            col('state'),
            col('since'),
            col('polledAt'),
            col('lastAnswerAt'),
            col('uptimeSource'),
            col('uptimeTicks'),
            col('bootedAt'),
            col('engineBoots'),
            col('sysName'),
            col('sysDescr'),
            col('sysObjectId'),
            rows.map((r) => JSON.stringify(r.interfaces ?? {})),
            col('lastFailure'),
            col('lastFailureMessage'),
            col('uptimeFrozenSince'),
            col('sysLocation'),
            col('sysContact'),
            col('chassisProblem'),
          ],
        );
        writes += rows.length;
      }
      return writes;
    });
  }

  private async applyEvent(m: EntityManager, deviceId: string, e: LedgerEvent): Promise<number> {
    switch (e.kind) {
      case 'monitor':
        await m.query(`INSERT INTO device_monitoring (device_id, started_at) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM device_monitoring WHERE device_id = $1 AND ended_at IS NULL)`, [deviceId, new Date(e.at)]);
        return 1;
      case 'unmonitor':
        await m.query(`UPDATE device_monitoring SET ended_at = GREATEST($2::timestamptz, started_at) WHERE device_id = $1 AND ended_at IS NULL`, [deviceId, new Date(e.at)]);
        return 1;
      case 'open':
        await m.query(
          `INSERT INTO outage (device_id, cause, if_index, wan_link_id, started_at, detail) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [deviceId, e.cause, e.ifIndex, e.wanLinkId, new Date(e.at), e.detail],
        );
        return 1;
      case 'close':
        await m.query(
          `UPDATE outage SET ended_at = GREATEST($4::timestamptz, started_at), cause = COALESCE($5, cause), detail = COALESCE($6, detail)
            WHERE device_id = $1 AND cause = $2 AND if_index IS NOT DISTINCT FROM $3::int AND ended_at IS NULL`,
          [deviceId, e.cause, e.ifIndex, new Date(e.at), e.recause ?? null, e.detail ?? null],
        );
        return 1;
      case 'record':
        await m.query(`INSERT INTO outage (device_id, cause, started_at, ended_at, detail) VALUES ($1, $2, $3, $4, $5)`, [deviceId, e.cause, new Date(e.from), new Date(e.to), e.detail]);
        return 1;
    }
  }

  /** A device leaves monitoring (profile disabled or removed, device retired): its open spans and outages end now. */
  async stopMonitoring(deviceIds: string[], at: Date): Promise<void> {
    if (deviceIds.length === 0) return;
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE device_monitoring SET ended_at = GREATEST($2, started_at) WHERE ended_at IS NULL AND device_id = ANY($1)`, [deviceIds, at]);
      await m.query(`UPDATE outage SET ended_at = GREATEST($2, started_at), detail = COALESCE(detail, '') || ' (monitoring stopped)' WHERE ended_at IS NULL AND device_id = ANY($1)`, [deviceIds, at]);
    });
  }

  async startRun(group: string, at: Date): Promise<string> {
    const run = await this.ds.getRepository(PollerRun).save({ pollerGroup: group, host: `${hostname()}:${process.pid}`, startedAt: at, lastBeatAt: at, stoppedAt: null });
    return run.id;
  }

  /** The run is alive; `overdue` (when the run knows it): the devices it has fallen behind on. */
  async beat(runId: string, at: Date, overdue?: Record<string, number | null>): Promise<void> {
    await this.ds.getRepository(PollerRun).update({ id: runId }, overdue === undefined ? { lastBeatAt: at } : { lastBeatAt: at, overdue });
  }

  async stopRun(runId: string, at: Date): Promise<void> {
    await this.ds.getRepository(PollerRun).update({ id: runId }, { lastBeatAt: at, stoppedAt: at });
  }

  /**
   * Fills a device's empty serial, model and manufacturer from ENTITY-MIB, through the inventory
   * (so the change is checked and audited like any other). A serial another device already has
   * is left out; the other fields are still filled. Returns the fields filled.
   */
  /**
   * Fills the device's empty serial, model and manufacturer with what it says of itself. A field the
   * inventory refuses (a serial another device has) is left out and the others are filled; what was
   * refused, and why, is returned as `problems` ("serialNumber: another device already has …").
   */
  async fillChassis(deviceId: string, chassis: { serialNumber: string | null; model: string | null; manufacturer: string | null }): Promise<{ filled: string[]; problems: string[] }> {
    const ctx: ChangeContext = { actor: `poller@${hostname()}`, source: 'poller', scope: EVERYWHERE };
    const device = await this.devices.get(deviceId, ctx.scope);
    const limits = { serialNumber: 100, model: 200, manufacturer: 200 } as const;
    const patch: Partial<Record<keyof typeof limits, string>> = {};
    for (const field of Object.keys(limits) as Array<keyof typeof limits>) {
      const value = chassis[field];
      if (!device[field] && value) patch[field] = value.slice(0, limits[field]);
    }
    const problems: string[] = [];
    // At most one try per field: each refusal names its fields, which the next try leaves out.
    for (let tries = 0; Object.keys(patch).length > 0 && tries <= 3; tries++) {
      try {
        await this.devices.update(deviceId, patch, ctx);
        break;
      } catch (error) {
        if (!(error instanceof InventoryError)) throw error;
        const refused = error.problems.map((p) => ({ field: p.field.replace(/^\[\d+\]\./, ''), message: p.message })).filter((p) => p.field in patch);
        // A refusal that names none of the fields sent (a rule of the record itself): nothing is filled.
        if (refused.length === 0) {
          problems.push(...(error.problems.length ? error.problems.map((p) => `${p.field || 'device'}: ${p.message}`) : [error.message]));
          for (const k of Object.keys(patch)) delete patch[k as keyof typeof patch];
          break;
        }
        for (const p of refused) {
          problems.push(`${p.field}: ${p.message} (the device says ${JSON.stringify(patch[p.field as keyof typeof patch])})`);
          delete patch[p.field as keyof typeof patch];
        }
      }
    }
    return { filled: Object.keys(patch), problems };
  }
}

/**
 * The 5-minute traffic points of a batch, on the interfaces the devices list (an interface not
 * listed yet has no row: its first slot is not kept). A second point for a slot (a poller that
 * restarted within it) is merged in, weighted by the seconds each measured.
 */
async function writeTrafficPoints(m: EntityManager, records: PollRecord[]): Promise<number> {
  const points = records.flatMap((r) => (r.points ?? []).map((p) => ({ deviceId: r.deviceId, ...p })));
  let written = 0;
  for (let i = 0; i < points.length; i += CHUNK) {
    const c = points.slice(i, i + CHUNK);
    // Counted as written: rows inserted or merged, not the points of interfaces not listed.
    const [{ n }] = await m.query(
      `WITH written AS (INSERT INTO traffic_5m (interface_id, at, in_bps, out_bps, in_errors_per_second, out_errors_per_second, seconds)
       SELECT i.id, x.at, x.in_bps, x.out_bps, x.in_e, x.out_e, x.seconds
         FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::int[]) AS x(device_id, if_index, at, in_bps, out_bps, in_e, out_e, seconds)
         JOIN device_interface i ON i.device_id = x.device_id AND i.if_index = x.if_index AND i.gone_at IS NULL
       ON CONFLICT (interface_id, at) DO UPDATE SET
         in_bps = (traffic_5m.in_bps * traffic_5m.seconds + EXCLUDED.in_bps * EXCLUDED.seconds) / GREATEST(traffic_5m.seconds + EXCLUDED.seconds, 1),
         out_bps = (traffic_5m.out_bps * traffic_5m.seconds + EXCLUDED.out_bps * EXCLUDED.seconds) / GREATEST(traffic_5m.seconds + EXCLUDED.seconds, 1),
         in_errors_per_second = (traffic_5m.in_errors_per_second * traffic_5m.seconds + EXCLUDED.in_errors_per_second * EXCLUDED.seconds) / GREATEST(traffic_5m.seconds + EXCLUDED.seconds, 1),
         out_errors_per_second = (traffic_5m.out_errors_per_second * traffic_5m.seconds + EXCLUDED.out_errors_per_second * EXCLUDED.seconds) / GREATEST(traffic_5m.seconds + EXCLUDED.seconds, 1),
         seconds = traffic_5m.seconds + EXCLUDED.seconds
       RETURNING 1) SELECT count(*)::int AS n FROM written`,
      [
        c.map((p) => p.deviceId),
        c.map((p) => p.ifIndex),
        c.map((p) => new Date(p.at)),
        c.map((p) => p.inBps),
        c.map((p) => p.outBps),
        c.map((p) => p.inErrorsPerSecond),
        c.map((p) => p.outErrorsPerSecond),
        c.map((p) => p.seconds),
      ],
    );
    written += n;
  }
  return written;
}

function stateRow(r: PollRecord): Partial<DevicePollState> {
  return { ...pollStateOf(r.memory, r.polledAt), deviceId: r.deviceId, state: r.memory.state ?? 'down', polledAt: new Date(r.polledAt) };
}

/** What the latest-poll row says of a device's memory (state left null while unknown). */
export function pollStateOf(m: DeviceMemory, polledAt: number): Omit<Partial<DevicePollState>, 'state'> & { state: DeviceMemory['state'] } {
  return {
    state: m.state,
    since: new Date(m.since ?? polledAt),
    lastAnswerAt: m.lastAnswerAt === null ? null : new Date(m.lastAnswerAt),
    uptimeSource: m.uptimeSource,
    uptimeTicks: m.uptimeTicks,
    uptimeFrozenSince: m.uptimeFrozenSince === null ? null : new Date(m.uptimeFrozenSince),
    bootedAt: m.bootedAt === null ? null : new Date(m.bootedAt),
    engineBoots: m.engineBoots,
    sysName: m.sysName,
    sysDescr: m.sysDescr,
    sysObjectId: m.sysObjectId,
    sysLocation: m.sysLocation,
    sysContact: m.sysContact,
    chassisProblem: m.chassisProblem,
    interfaces: interfacesToRow(m.interfaces),
    lastFailure: m.lastFailure,
    lastFailureMessage: m.lastFailureMessage,
  };
}

/**
 * The row keeps no slot in progress: it is written on changes only, so its slot would be an old one,
 * and a poller starting from it would close that slot again, over a point already written.
 */
function interfacesToRow(interfaces: DeviceMemory['interfaces']): Record<string, InterfaceRow> {
  const out: Record<string, InterfaceRow> = {};
  for (const [ifIndex, { slot: _slot, ...i }] of Object.entries(interfaces)) out[ifIndex] = { ...i, countersAt: i.countersAt == null ? i.countersAt : new Date(i.countersAt).toISOString() };
  return out;
}

function interfacesFromRow(interfaces: Record<string, InterfaceRow>): DeviceMemory['interfaces'] {
  const out: DeviceMemory['interfaces'] = {};
  // Rows written before slots were left out may still hold one: it is dropped the same way.
  for (const [ifIndex, { slot: _slot, ...i }] of Object.entries(interfaces ?? {})) out[ifIndex] = { ...i, countersAt: i.countersAt == null ? i.countersAt : Date.parse(i.countersAt) };
  return out;
}
