import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Days and months are Vietnam's (UTC+7, no daylight saving): a daily point is a local day. */
const LOCAL = "interval '7 hours'";

/** How long each resolution is kept (5-minute points long enough for last month's 95th percentile). */
export const RETENTION = { '5m': 35 * DAY, '1h': 396 * DAY, '1d': 5 * 366 * DAY } as const;
export type Resolution = keyof typeof RETENTION;

/** The resolution a span asks for: 5-minute points up to 2 days, hourly up to 62, daily beyond. */
export function resolutionFor(spanMs: number): Resolution {
  return spanMs <= 2 * DAY ? '5m' : spanMs <= 62 * DAY ? '1h' : '1d';
}

export interface TrafficSeriesPoint {
  at: string;
  inBps: number;
  outBps: number;
  inErrorsPerSecond: number | null;
  outErrorsPerSecond: number | null;
  seconds: number;
  /** The busiest 5-minute point in it (hourly and daily points). */
  inMaxBps?: number;
  outMaxBps?: number;
}

export interface MonthPercentile {
  /** YYYY-MM, Vietnam's month. */
  month: string;
  /** 95th percentile of the month's 5-minute points (what providers bill); null when they have expired or none were taken. */
  inP95Bps: number | null;
  outP95Bps: number | null;
  points: number;
}

/**
 * Interface traffic: rolls the 5-minute points the pollers write up into hourly and daily points,
 * expires each resolution after its retention, and reads series and monthly percentiles.
 */
@Injectable()
export class TrafficService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Traffic');
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onApplicationBootstrap(): void {
    // Every 5 minutes, a while after the slot closes (pollers flush within seconds).
    this.timer = setInterval(() => void this.rollUp().catch((e: Error) => this.log.error(`traffic roll-up failed: ${e.message}`)), 5 * 60_000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Rolls up the hours and days that have ended since the last run (and the two before, for late points), then expires old points. */
  rollUp(now = Date.now()): Promise<void> {
    this.running ??= this.ds
      .transaction(async (m) => {
        // One roll-up at a time across API processes (PostgreSQL; PGlite has one process).
        if (this.ds.options.type === 'postgres') {
          const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('hatang traffic roll-up')) AS locked`);
          if (!locked) return;
        }
        const hourEnd = new Date(now - (now % HOUR));
        await this.rollUpInto(m, '1h', hourEnd, 'traffic_5m', `date_trunc('hour', at)`, 'in_bps', 'out_bps');
        const local = now + 7 * HOUR;
        const dayEnd = new Date(local - (local % DAY) - 7 * HOUR);
        await this.rollUpInto(m, '1d', dayEnd, 'traffic_1h', `date_trunc('day', at + ${LOCAL}) - ${LOCAL}`, 'in_max_bps', 'out_max_bps');
        await m.query(`DELETE FROM traffic_5m WHERE at < $1`, [new Date(now - RETENTION['5m'])]);
        await m.query(`DELETE FROM traffic_1h WHERE at < $1`, [new Date(now - RETENTION['1h'])]);
        await m.query(`DELETE FROM traffic_1d WHERE at < $1`, [new Date(now - RETENTION['1d'])]);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private async rollUpInto(m: EntityManager, resolution: '1h' | '1d', end: Date, from: string, period: string, inMax: string, outMax: string): Promise<void> {
    const [state] = await m.query(`SELECT done_until AS "doneUntil" FROM traffic_rollup WHERE resolution = $1`, [resolution]);
    const back = resolution === '1h' ? 2 * HOUR : DAY;
    // From where it stopped (less a margin for points that came late), at most back to the retention of its source.
    const oldest = end.getTime() - (resolution === '1h' ? RETENTION['5m'] : RETENTION['1h']);
    const start = new Date(Math.max(oldest, (state ? new Date(state.doneUntil).getTime() : oldest) - back));
    if (start >= end) return;
    await m.query(
      `INSERT INTO traffic_${resolution} (interface_id, at, in_bps, out_bps, in_errors_per_second, out_errors_per_second, seconds, in_max_bps, out_max_bps)
       SELECT interface_id, ${period}, sum(in_bps * seconds) / sum(seconds), sum(out_bps * seconds) / sum(seconds),
              sum(in_errors_per_second * seconds) / sum(seconds), sum(out_errors_per_second * seconds) / sum(seconds), sum(seconds), max(${inMax}), max(${outMax})
         FROM ${from} WHERE at >= $1 AND at < $2 AND seconds > 0 GROUP BY 1, 2
       ON CONFLICT (interface_id, at) DO UPDATE SET in_bps = EXCLUDED.in_bps, out_bps = EXCLUDED.out_bps, in_errors_per_second = EXCLUDED.in_errors_per_second,
         out_errors_per_second = EXCLUDED.out_errors_per_second, seconds = EXCLUDED.seconds, in_max_bps = EXCLUDED.in_max_bps, out_max_bps = EXCLUDED.out_max_bps`,
      [start, end],
    );
    await m.query(`INSERT INTO traffic_rollup (resolution, done_until) VALUES ($1, $2) ON CONFLICT (resolution) DO UPDATE SET done_until = GREATEST(traffic_rollup.done_until, EXCLUDED.done_until)`, [resolution, end]);
  }

  /** An interface's traffic between two instants, at the resolution the span asks for (or the one given). */
  async series(interfaceId: string, from: Date, to: Date, resolution: Resolution = resolutionFor(to.getTime() - from.getTime())): Promise<{ resolution: Resolution; points: TrafficSeriesPoint[] }> {
    const max = resolution === '5m' ? '' : `, in_max_bps AS "inMaxBps", out_max_bps AS "outMaxBps"`;
    const rows: TrafficSeriesPoint[] = await this.ds.query(
      `SELECT at, in_bps AS "inBps", out_bps AS "outBps", in_errors_per_second AS "inErrorsPerSecond", out_errors_per_second AS "outErrorsPerSecond", seconds${max}
         FROM traffic_${resolution} WHERE interface_id = $1 AND at >= $2 AND at < $3 ORDER BY at`,
      [interfaceId, from, to],
    );
    return { resolution, points: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
  }

  /** Each month's 95th percentile of the 5-minute points, newest first, for the months given (YYYY-MM, Vietnam's months). */
  async monthlyPercentiles(interfaceId: string, months: string[]): Promise<MonthPercentile[]> {
    if (months.length === 0) return [];
    // The months' bounds as instants (a Vietnamese month starts at 17:00 UTC the day before): one range read of the interface's points.
    const bound = (month: string, next = 0) => {
      const [y, mo] = month.split('-').map(Number);
      return new Date(Date.UTC(y, mo - 1 + next, 1) - 7 * HOUR);
    };
    const sorted = [...months].sort();
    const rows: Array<{ month: string; inP95: number | null; outP95: number | null; points: string }> = await this.ds.query(
      `SELECT to_char(at + ${LOCAL}, 'YYYY-MM') AS month, percentile_cont(0.95) WITHIN GROUP (ORDER BY in_bps) AS "inP95",
              percentile_cont(0.95) WITHIN GROUP (ORDER BY out_bps) AS "outP95", count(*) AS points
         FROM traffic_5m WHERE interface_id = $1 AND at >= $2 AND at < $3 GROUP BY 1`,
      [interfaceId, bound(sorted[0]), bound(sorted[sorted.length - 1], 1)],
    );
    const byMonth = new Map(rows.map((r) => [r.month, r]));
    return months.map((month) => {
      const r = byMonth.get(month);
      return { month, inP95Bps: r?.inP95 ?? null, outP95Bps: r?.outP95 ?? null, points: Number(r?.points ?? 0) };
    });
  }
}
