import { readFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdministrativeUnitsService, DemoProvince, InventoryError } from '@app/inventory';

const CLI = { actor: `cli:${process.env.USER ?? 'unknown'}`, source: 'cli' as const };

/** Prints an inventory error the way the API would list it, then fails the command. */
export function report(err: unknown): never {
  if (err instanceof InventoryError) {
    process.stderr.write(`${err.message}\n`);
    for (const p of err.problems) process.stderr.write(`  ${p.row ? `row ${p.row}, ` : ''}${p.column ?? p.field}: ${p.message}\n`);
    process.exit(1);
  }
  throw err;
}

@Command({ name: 'migrate', description: 'Apply pending migrations (or --revert the last one)' })
export class MigrateCommand extends CommandRunner {
  constructor(@InjectDataSource() private readonly ds: DataSource) {
    super();
  }

  @Option({ flags: '--revert', description: 'Undo the last migration' })
  parseRevert(): boolean {
    return true;
  }

  async run(_: string[], options: { revert?: boolean }): Promise<void> {
    if (options.revert) {
      await this.ds.undoLastMigration();
      process.stdout.write('Reverted the last migration\n');
      return;
    }
    const done = await this.ds.runMigrations({ transaction: 'each' });
    process.stdout.write(done.length ? `Applied ${done.map((m) => m.name).join(', ')}\n` : 'Database is up to date\n');
  }
}

@Command({ name: 'seed-demo', description: 'Load the demo province (Bình Định) into an empty inventory' })
export class SeedDemoCommand extends CommandRunner {
  constructor(private readonly demo: DemoProvince) {
    super();
  }

  async run(): Promise<void> {
    const loaded = await this.demo.loadIfEmpty();
    process.stdout.write(loaded ? `Loaded: ${JSON.stringify(loaded)}\n` : 'The inventory is not empty; nothing loaded\n');
  }
}

@Command({
  name: 'import-units',
  arguments: '<file>',
  description: 'Import the official list of administrative units (GSO, dvhcvn JSON). Idempotent.',
})
export class ImportUnitsCommand extends CommandRunner {
  constructor(private readonly units: AdministrativeUnitsService) {
    super();
  }

  @Option({ flags: '--dry-run', description: 'Count what would change, write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  async run([file]: string[], options: { dryRun?: boolean }): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      process.stderr.write(`Cannot read ${file} as JSON: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const started = Date.now();
    const result = await this.units.importOfficialList(payload, { ...CLI, source: 'import' }, { dryRun: options.dryRun }).catch(report);
    process.stdout.write(`${options.dryRun ? 'Dry run: ' : ''}${JSON.stringify(result)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
