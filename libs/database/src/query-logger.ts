import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's messages through Nest's logger, so LOG_LEVEL (and LOG_FORMAT) apply to them too. A
 * failed query is a warning with its SQLSTATE and without its parameters (they may hold secrets):
 * most are expected (a unique key taken, a refused row) and answered as such; one nobody expected
 * reaches the problem filter, which logs it as an error.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly nest = new Logger('Database');

  constructor(private readonly everyQuery = false) {}

  logQuery(query: string): void {
    if (this.everyQuery) this.nest.debug(query);
  }

  logQueryError(error: string | Error, query: string): void {
    const e = error as { code?: string; message?: string };
    this.nest.warn(`query failed${e.code ? ` (SQLSTATE ${e.code})` : ''}: ${typeof error === 'string' ? error : e.message} — ${query.slice(0, 300)}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.nest.warn(`slow query (${time} ms): ${query.slice(0, 300)}`);
  }

  // Schema building, migrations and TypeORM's own notes only with every query (DATABASE_LOGGING):
  // the CLI says which migrations it applied itself, and schema:diff prints SQL alone.
  logSchemaBuild(message: string): void {
    if (this.everyQuery) this.nest.debug(message);
  }

  logMigration(message: string): void {
    if (this.everyQuery) this.nest.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.nest.warn(String(message));
    else if (this.everyQuery) this.nest.debug(String(message));
  }
}
