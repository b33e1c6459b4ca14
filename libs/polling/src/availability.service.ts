import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { agencyWithinSql, type Scope } from '@app/inventory';
import { BEAT_EVERY_MS } from './poller';

export interface DeviceAvailability {
  deviceId: string;
  /** Seconds of the window, after maintenance is taken out. */
  upSeconds: number;
  downSeconds: number;
  /** Time nobody watched the device: before its first poll, while no poller of its group ran. */
  unknownSeconds: number;
  maintenanceSeconds: number;
  /** up / (up + down), as a percentage; null when no time in the window is known. */
  availabilityPercent: number | null;
}

export interface AvailabilityReport {
  from: string;
  to: string;
  devices: DeviceAvailability[];
  total: Omit<DeviceAvailability, 'deviceId'>;
}

/**
 * A LATERAL subquery giving up_seconds, down_seconds, unknown_seconds and maintenance_seconds of
 * one device over [from, to) (to already clipped to now), from the outage ledger. The coverage
 * engine uses it too, for its availability criterion: one definition of availability.
 */
export function availabilitySql(x: { device: string; agency: string; group: string; from: string; to: string; now: string }): string {
  const span = (start: string, end: string) => `tstzrange(${start}, GREATEST(${start}, ${end}))`;
  const seconds = (m: string) => `(SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(${m}) r)::float8`;
  const stale = `${x.now} - make_interval(secs => ${(2 * BEAT_EVERY_MS) / 1000})`;
  return `(
    SELECT ${seconds('eff - down - unknown')} AS up_seconds, ${seconds('down')} AS down_seconds, ${seconds('unknown')} AS unknown_seconds, ${seconds('maint')} AS maintenance_seconds
    FROM (
      SELECT eff, maint, eff * down AS down, eff - (watched + down) AS unknown FROM (
        SELECT w - maint AS eff, w * maint AS maint, down, watched FROM (
          SELECT tstzmultirange(tstzrange(${x.from}, GREATEST(${x.from}, ${x.to}))) AS w,
            (SELECT COALESCE(range_agg(tstzrange(m.starts_at, m.ends_at)), '{}') FROM maintenance_window m
              WHERE (m.device_id = ${x.device} OR m.agency_id = ${x.agency}) AND m.starts_at < ${x.to} AND m.ends_at > ${x.from}) AS maint,
            (SELECT COALESCE(range_agg(${span('o.started_at', `COALESCE(o.ended_at, ${x.now})`)}), '{}') FROM outage o
              WHERE o.device_id = ${x.device} AND o.cause IN ('unreachable', 'rebooted') AND o.started_at < ${x.to} AND (o.ended_at IS NULL OR o.ended_at > ${x.from})) AS down,
            (SELECT COALESCE(range_agg(${span('s.started_at', `COALESCE(s.ended_at, ${x.now})`)}), '{}') FROM device_monitoring s
              WHERE s.device_id = ${x.device} AND s.started_at < ${x.to} AND (s.ended_at IS NULL OR s.ended_at > ${x.from}))
            * (SELECT COALESCE(range_agg(${span('r.started_at', `COALESCE(r.stopped_at, CASE WHEN r.last_beat_at >= ${stale} THEN ${x.now} ELSE r.last_beat_at END)`)}), '{}') FROM poller_run r
              WHERE r.poller_group = ${x.group} AND r.started_at < ${x.to}) AS watched
        ) parts
      ) sets
    ) final
  )`;
}

/**
 * Availability from the outage ledger, in the database, with PostgreSQL multiranges:
 *   window   = [from, min(to, now)) minus the maintenance declared for the device or its agency
 *   down     = unreachable and reboot outages within the window (an outage still open counts until now)
 *   watched  = the device's monitoring spans, intersected with the runs of its group's pollers
 *   unknown  = window − watched − down;  up = window − unknown − down
 */
@Injectable()
export class AvailabilityService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async forDevices(deviceIds: string[], from: Date, to: Date, now = new Date()): Promise<AvailabilityReport> {
    const end = new Date(Math.min(to.getTime(), now.getTime()));
    const rows: Array<Record<string, string | null>> =
      deviceIds.length === 0 || end <= from
        ? []
        : await this.ds.query(
            `SELECT d.id AS "deviceId", f.up_seconds AS up, f.down_seconds AS down, f.unknown_seconds AS unknown, f.maintenance_seconds AS maint
               FROM device d LEFT JOIN snmp_profile p ON p.device_id = d.id
               CROSS JOIN LATERAL ${availabilitySql({ device: 'd.id', agency: 'd.agency_id', group: `COALESCE(p.poller_group, 'default')`, from: '$2::timestamptz', to: '$3::timestamptz', now: '$4::timestamptz' })} f
              WHERE d.id = ANY($1::uuid[]) ORDER BY d.id`,
            [deviceIds, from, end, now],
          );
    const devices = rows.map((r) => figures(r.deviceId as string, Number(r.up), Number(r.down), Number(r.unknown), Number(r.maint)));
    const sum = (k: 'upSeconds' | 'downSeconds' | 'unknownSeconds' | 'maintenanceSeconds') => round(devices.reduce((n, d) => n + d[k], 0));
    const { deviceId: _unused, ...total } = figures('', sum('upSeconds'), sum('downSeconds'), sum('unknownSeconds'), sum('maintenanceSeconds'));
    return { from: from.toISOString(), to: end.toISOString(), devices, total };
  }

  /** The devices a filter names, of those within the scope. */
  async devicesOf(filter: { agencyId?: string; dataCentre?: string; deviceId?: string }, scope: Scope): Promise<string[]> {
    const params: unknown[] = [filter.agencyId ?? null, filter.dataCentre ?? null, filter.deviceId ?? null];
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM device WHERE ($1::uuid IS NULL OR agency_id = $1) AND ($2::text IS NULL OR data_centre = $2) AND ($3::uuid IS NULL OR id = $3)
          AND ${agencyWithinSql(scope, 'agency_id', params)} ORDER BY id`,
      params,
    );
    return rows.map((r) => r.id);
  }
}

function figures(deviceId: string, up: number, down: number, unknown: number, maintenance: number): DeviceAvailability {
  const known = up + down;
  return {
    deviceId,
    upSeconds: round(up),
    downSeconds: round(down),
    unknownSeconds: round(unknown),
    maintenanceSeconds: round(maintenance),
    availabilityPercent: known > 0 ? Math.round((up / known) * 1e6) / 1e4 : null,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
