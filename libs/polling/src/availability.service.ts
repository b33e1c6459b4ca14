import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
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
            `WITH dev AS (
               SELECT d.id, d.agency_id, COALESCE(p.poller_group, 'default') AS grp
                 FROM device d LEFT JOIN snmp_profile p ON p.device_id = d.id WHERE d.id = ANY($1::uuid[])
             ), win AS (SELECT tstzmultirange(tstzrange($2::timestamptz, $3::timestamptz)) AS w),
             parts AS (
               SELECT dev.id,
                 (SELECT COALESCE(range_agg(tstzrange(m.starts_at, m.ends_at)), '{}') FROM maintenance_window m
                   WHERE (m.device_id = dev.id OR m.agency_id = dev.agency_id) AND m.starts_at < $3 AND m.ends_at > $2) AS maint,
                 (SELECT COALESCE(range_agg(tstzrange(o.started_at, GREATEST(o.started_at, COALESCE(o.ended_at, $4::timestamptz)))), '{}') FROM outage o
                   WHERE o.device_id = dev.id AND o.cause IN ('unreachable', 'rebooted') AND o.started_at < $3 AND (o.ended_at IS NULL OR o.ended_at > $2)) AS down,
                 (SELECT COALESCE(range_agg(tstzrange(s.started_at, GREATEST(s.started_at, COALESCE(s.ended_at, $4::timestamptz)))), '{}') FROM device_monitoring s
                   WHERE s.device_id = dev.id AND s.started_at < $3 AND (s.ended_at IS NULL OR s.ended_at > $2)) AS mon,
                 (SELECT COALESCE(range_agg(tstzrange(r.started_at, GREATEST(r.started_at, COALESCE(r.stopped_at,
                            CASE WHEN r.last_beat_at >= $4::timestamptz - make_interval(secs => $5) THEN $4::timestamptz ELSE r.last_beat_at END)))), '{}')
                    FROM poller_run r WHERE r.poller_group = dev.grp AND r.started_at < $3) AS runs
               FROM dev
             ), sets AS (
               SELECT id, maint, w - maint AS eff, down, mon * runs AS watched FROM parts, win
             ), final AS (
               SELECT id, w * maint AS maint, eff * down AS down, eff - (watched + down) AS unknown, eff FROM sets, win
             )
             SELECT id AS "deviceId",
                    (SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(maint) r) AS maint,
                    (SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(down) r) AS down,
                    (SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(unknown) r) AS unknown,
                    (SELECT COALESCE(SUM(EXTRACT(EPOCH FROM upper(r) - lower(r))), 0) FROM unnest(eff) r) AS eff
               FROM final ORDER BY id`,
            [deviceIds, from, end, now, (2 * BEAT_EVERY_MS) / 1000],
          );
    const devices = rows.map((r) => {
      const eff = Number(r.eff);
      const down = Number(r.down);
      const unknown = Number(r.unknown);
      return figures(r.deviceId as string, eff - unknown - down, down, unknown, Number(r.maint));
    });
    const sum = (k: 'upSeconds' | 'downSeconds' | 'unknownSeconds' | 'maintenanceSeconds') => round(devices.reduce((n, d) => n + d[k], 0));
    const { deviceId: _unused, ...total } = figures('', sum('upSeconds'), sum('downSeconds'), sum('unknownSeconds'), sum('maintenanceSeconds'));
    return { from: from.toISOString(), to: end.toISOString(), devices, total };
  }

  async devicesOf(filter: { agencyId?: string; dataCentre?: string; deviceId?: string }): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM device WHERE ($1::uuid IS NULL OR agency_id = $1) AND ($2::text IS NULL OR data_centre = $2) AND ($3::uuid IS NULL OR id = $3) ORDER BY id`,
      [filter.agencyId ?? null, filter.dataCentre ?? null, filter.deviceId ?? null],
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
