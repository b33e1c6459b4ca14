import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';
import { unlockDataDir } from './data-dir-lock';

/**
 * A `pg`-compatible pool over one embedded PGlite instance, handed to TypeORM's Postgres driver
 * as `driver: { Pool: PglitePool }`.
 *
 * PGlite is a single connection. TypeORM runs a transaction as BEGIN … COMMIT on a connection it
 * holds, so the pool lends that one connection to one holder at a time (a FIFO lease): a
 * statement from another request waits instead of landing inside someone else's transaction.
 */
export interface PglitePoolOptions {
  pglite: PGlite;
  /** The directory whose lock this process holds, given back when the pool closes. */
  dataDir?: string;
}

interface PgLikeResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Results['fields'];
}

type ConnectCallback = (err: Error | null, client: PgliteClient | null, release: (err?: unknown) => void) => void;

class Lease {
  private held = false;
  private readonly waiting: Array<() => void> = [];

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

export class PgliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  async query(sql: string, params?: unknown[] | ((err: unknown, res: unknown) => void)): Promise<PgLikeResult> {
    const values = Array.isArray(params) ? params : undefined;
    let result: Results;
    if (values && values.length > 0) {
      result = await this.db.query(sql, values);
    } else {
      // exec runs several statements (migrations); TypeORM expects the last statement's result.
      const results = await this.db.exec(sql);
      result = results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 };
    }
    const r = result as Results & { command?: string; rowCount?: number };
    return {
      rows: r.rows,
      rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length,
      command: r.command ?? '',
      fields: r.fields,
    };
  }
}

export class PglitePool extends EventEmitter {
  private readonly lease = new Lease();
  private readonly client: PgliteClient;
  private ended = false;

  constructor(private readonly options: PglitePoolOptions) {
    super();
    if (!options?.pglite) throw new Error('PglitePool needs a PGlite instance in the `pglite` option');
    this.client = new PgliteClient(options.pglite);
  }

  connect(callback?: ConnectCallback): Promise<PgliteClient> | undefined {
    const leased = this.lease.acquire().then(() => {
      if (this.ended) {
        this.lease.release();
        throw new Error('PGlite pool has been closed');
      }
      return this.client;
    });
    if (!callback) return leased;
    leased.then(
      (client) => {
        let released = false;
        callback(null, client, () => {
          if (released) return;
          released = true;
          this.lease.release();
        });
      },
      (err: Error) => callback(err, null, () => undefined),
    );
    return undefined;
  }

  async query(sql: string, params?: unknown[]): Promise<PgLikeResult> {
    await this.lease.acquire();
    try {
      return await this.client.query(sql, params);
    } finally {
      this.lease.release();
    }
  }

  /** Closes the PGlite instance once the current holder is done, so its data directory is flushed. */
  async end(callback?: (err?: unknown) => void): Promise<void> {
    await this.lease.acquire();
    this.ended = true;
    try {
      await this.options.pglite.close();
      if (this.options.dataDir && !this.options.dataDir.startsWith('memory://')) unlockDataDir(this.options.dataDir);
      callback?.(null);
    } catch (err) {
      callback?.(err);
      if (!callback) throw err;
    } finally {
      this.lease.release();
    }
  }
}
