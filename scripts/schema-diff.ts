/**
 * Prints the SQL that would bring a freshly migrated database in line with the entities.
 * Empty output means migrations and entities agree. Usage: DATABASE_URL=... or none (PGlite in memory).
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '@app/database';
import { MIGRATIONS } from '@app/database/migrations';
import { ENTITIES } from '../apps/api/src/entities';

async function main(): Promise<void> {
  const ds = new DataSource(
    await buildDataSourceOptions({ url: process.env.DATABASE_URL, dataDir: 'memory://', entities: ENTITIES, migrations: MIGRATIONS }),
  );
  await ds.initialize();
  await ds.runMigrations();
  const sql = await ds.driver.createSchemaBuilder().log();
  for (const q of sql.upQueries) console.log(`${q.query};`);
  await ds.destroy();
}
void main();
