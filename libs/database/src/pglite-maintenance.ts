import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export const PGLITE_MAINTENANCE_EVERY = Symbol('PGLITE_MAINTENANCE_EVERY');

/** PostgreSQL's own autovacuum thresholds (its defaults): a table is due when its changes pass base + scale × its rows. */
const THRESHOLDS = {
  analyze: { base: 50, scale: 0.1 },
  vacuum: { base: 50, scale: 0.2 },
  /** Rows inserted since the last vacuum (PostgreSQL 13+): marks pages all-visible and freezes them. */
  insertVacuum: { base: 1000, scale: 0.2 },
} as const;

export interface MaintenanceStep {
  table: string;
  /** `analyze`, or `vacuum` (which analyses too when the table is also due for it). */
  action: 'analyze' | 'vacuum';
  ms: number;
}

interface TableStats {
  table: string;
  rows: number;
  dead: number;
  modified: number;
  inserted: number;
}

/**
 * PGlite runs PostgreSQL as one process, without its autovacuum launcher: no table is ever analysed
 * or vacuumed on its own. Without statistics the planner guesses, and guesses badly as tables grow
 * (400,000 interfaces still read as never analysed minutes after they were inserted, and writing a
 * slot's traffic points joined them by sorting the whole table for every 2,000 points: 360 µs of CPU
 * a point, 34 µs once analysed). Dead rows are never reclaimed either, and transaction ids never
 * frozen.
 *
 * This stands in for autovacuum: every minute it reads each table's counters and analyses or
 * vacuums those past PostgreSQL's own default thresholds, one statement at a time through the pool
 * (so never inside another caller's transaction). Only with PGlite; PostgreSQL has its own.
 */
@Injectable()
export class PgliteMaintenance implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Database');
  private timer?: NodeJS.Timeout;
  private running: Promise<MaintenanceStep[]> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PGLITE_MAINTENANCE_EVERY) private readonly everyMs: number,
  ) {}

  onApplicationBootstrap(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.runOnce().catch((e: Error) => this.log.error(`database maintenance failed: ${e.message}`)), this.everyMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Analyses and vacuums the tables that are due; returns what it did. One run at a time. */
  runOnce(): Promise<MaintenanceStep[]> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<MaintenanceStep[]> {
    const steps: MaintenanceStep[] = [];
    for (const t of await this.stats()) {
      if (this.stopped) break;
      // A table never analysed reads −1 rows: its thresholds are the bases alone.
      const rows = Math.max(t.rows, 0);
      const analyze = t.modified > THRESHOLDS.analyze.base + THRESHOLDS.analyze.scale * rows;
      const vacuum = t.dead > THRESHOLDS.vacuum.base + THRESHOLDS.vacuum.scale * rows || t.inserted > THRESHOLDS.insertVacuum.base + THRESHOLDS.insertVacuum.scale * rows;
      if (!analyze && !vacuum) continue;
      const table = `"${t.table.replace(/"/g, '""')}"`;
      const t0 = performance.now();
      await this.ds.query(vacuum ? `VACUUM ${analyze ? '(ANALYZE) ' : ''}${table}` : `ANALYZE ${table}`);
      const ms = performance.now() - t0;
      steps.push({ table: t.table, action: vacuum ? 'vacuum' : 'analyze', ms });
      // Each statement holds the only connection (and this thread): a long one is worth knowing of.
      if (ms > 1000) this.log.warn(`${vacuum ? 'vacuum' : 'analyse'} of ${t.table} took ${Math.round(ms)} ms`);
    }
    return steps;
  }

  /** The counters PostgreSQL keeps per table (flushed to them about once a second). */
  private async stats(): Promise<TableStats[]> {
    const rows: Array<{ table: string; rows: number; dead: string; modified: string; inserted: string }> = await this.ds.query(
      `SELECT s.relname AS "table", c.reltuples::float8 AS rows, s.n_dead_tup AS dead, s.n_mod_since_analyze AS modified, s.n_ins_since_vacuum AS inserted
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema() ORDER BY s.relname`,
    );
    return rows.map((r) => ({ table: r.table, rows: Number(r.rows), dead: Number(r.dead), modified: Number(r.modified), inserted: Number(r.inserted) }));
  }
}
