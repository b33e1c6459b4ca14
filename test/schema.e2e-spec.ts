import { buildDataSourceOptions, MIGRATIONS } from '@app/database';
import { ENTITIES } from '../apps/api/src/entities';
import { DataSource } from 'typeorm';
import { ENGINES, freshPostgres } from './support/databases';

/** Generating a migration after migrating must yield nothing: entities and migrations agree. */
describe.each(ENGINES)('schema on %s', (engine) => {
  let ds: DataSource;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const pg = engine === 'postgres' ? await freshPostgres() : undefined;
    drop = pg?.drop;
    ds = new DataSource(await buildDataSourceOptions({ url: pg?.url, dataDir: 'memory://', entities: ENTITIES, migrations: MIGRATIONS }));
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(async () => {
    await ds.destroy();
    await drop?.();
  });

  it('has no difference between the entities and the migrated database', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('notices a difference when the database drifts (the check can fail)', async () => {
    await ds.query('ALTER TABLE device DROP COLUMN rack');
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query).join('\n')).toMatch(/ADD "rack"/);
    await ds.query('ALTER TABLE device ADD COLUMN rack character varying(50)');
  });

  it('rolls every migration back', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    const tables: Array<{ n: number }> = await ds.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`);
    expect(tables[0].n).toBe(0);
  });
});

describe('the service\'s PostgreSQL connections', () => {
  it('run their queries without PostgreSQL\'s JIT, unless the URL sets its own options', async () => {
    const pg = await freshPostgres();
    const open = async (url: string) => {
      const ds = new DataSource(await buildDataSourceOptions({ url, entities: ENTITIES, migrations: [] }));
      await ds.initialize();
      try {
        return ((await ds.query('SHOW jit')) as Array<{ jit: string }>)[0].jit;
      } finally {
        await ds.destroy();
      }
    };
    try {
      expect(await open(pg.url)).toBe('off');
      expect(await open(`${pg.url}?options=${encodeURIComponent('-c jit=on')}`)).toBe('on');
    } finally {
      await pg.drop();
    }
  });
});
