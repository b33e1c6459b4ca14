import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CoverageService, DemoSeed } from '@app/coverage';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AdministrativeUnitsService,
  BoundariesService,
  EVERYWHERE,
  type ImportProgress,
  InventoryError,
  SHEET_QUERIES,
  Input,
  SHEET_RESOURCES,
  type SheetFormat,
  Spreadsheets,
  sheetFormat,
  sheetResource,
} from '@app/inventory';

/** The CLI runs on the server with the database's own credentials: the whole country is its scope. */
export const CLI = { actor: `cli:${process.env.USER ?? 'unknown'}`, source: 'cli' as const, scope: EVERYWHERE };

/** Prints an inventory error the way the API would list it, then fails the command. */
export function report(err: unknown): never {
  if (err instanceof InventoryError) {
    process.stderr.write(`${err.message}\n`);
    for (const p of err.problems) process.stderr.write(`  ${p.row ? `row ${p.row}, ` : ''}${p.column ?? p.field}: ${p.message}\n`);
    process.exit(1);
  }
  throw err;
}

/** Runs a check that throws an inventory error, reporting it the CLI's way. */
function attempt<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    return report(err);
  }
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
  constructor(private readonly demo: DemoSeed) {
    super();
  }

  async run(): Promise<void> {
    const loaded = await this.demo.loadIfEmpty({ ...CLI, source: 'seed' });
    process.stdout.write(
      loaded
        ? `Loaded: ${JSON.stringify(loaded.inventory)}\nLoaded the plan ${loaded.plan.documentNumber} (${loaded.plan.targets} targets), id ${loaded.plan.id}\n`
        : 'The inventory is not empty; nothing loaded\n',
    );
  }
}

@Command({
  name: 'import-units',
  arguments: '<file>',
  description: 'Import an official list of administrative units (GSO dvhcvn JSON, or the two-level list after the 2025 reorganisation). Idempotent; a changed unit keeps its history.',
})
export class ImportUnitsCommand extends CommandRunner {
  constructor(private readonly units: AdministrativeUnitsService) {
    super();
  }

  @Option({ flags: '--dry-run', description: 'Count what would change, write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--valid-from <day>', description: 'The day the list came into force (YYYY-MM-DD); a two-level list needs it (2025-07-01)' })
  parseValidFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--replaces', description: 'The list replaces the current one: the units it leaves out end on its date' })
  parseReplaces(): boolean {
    return true;
  }

  async run([file]: string[], options: { dryRun?: boolean; validFrom?: string; replaces?: boolean }): Promise<void> {
    const payload = readJsonOrExit(file);
    const started = Date.now();
    const result = await this.units.importOfficialList(payload, { ...CLI, source: 'import' }, { dryRun: options.dryRun, validFrom: options.validFrom, replaces: options.replaces }).catch(report);
    process.stdout.write(`${options.dryRun ? 'Dry run: ' : ''}${JSON.stringify(result)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

@Command({
  name: 'import-boundaries',
  arguments: '<file>',
  description: 'Import units\' boundaries by GSO code: a GeoJSON FeatureCollection (properties.code) or the dvhcvn GIS format (level2s[])',
})
export class ImportBoundariesCommand extends CommandRunner {
  constructor(private readonly boundaries: BoundariesService) {
    super();
  }

  @Option({ flags: '--dry-run', description: 'Check the file and count what would change, write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  async run([file]: string[], options: { dryRun?: boolean }): Promise<void> {
    const payload = readJsonOrExit(file);
    const r = await this.boundaries.import(payload, { ...CLI, source: 'import' }, { dryRun: options.dryRun }).catch(report);
    process.stdout.write(`${r.dryRun ? 'Dry run, nothing written: would set' : 'Set'} ${r.updated} boundaries, ${r.unchanged} unchanged${r.unknownCodes.length ? `; no current unit has the codes ${r.unknownCodes.join(', ')}` : ''}\n`);
  }
}

/** A JSON file's contents, or exit 1 with what went wrong. */
export function readJsonOrExit(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`Cannot read ${file} as JSON: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/** The file's format: named, or from its extension (CSV by default). */
function formatFor(named: string | undefined, file: string | undefined): SheetFormat {
  return sheetFormat(named, file && extname(file).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv');
}

/** One progress line, rewritten in place on a terminal, a line per step otherwise (logs, CI). */
export function progressLine(dryRun: boolean, out: NodeJS.WriteStream = process.stderr): (p: ImportProgress) => void {
  const started = Date.now();
  let last = 0;
  let shown = '';
  return ({ phase, done, total }) => {
    const now = Date.now();
    if ((done !== total && now - last < 250) || shown === `${phase}${done}`) return;
    last = now;
    shown = `${phase}${done}`;
    const verb = phase === 'check' ? 'checked' : dryRun ? 'checked in the database (dry run)' : 'written';
    const pct = total ? Math.floor((done / total) * 100) : 100;
    const text = `${verb} ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows (${pct}%) ${((now - started) / 1000).toFixed(1)} s`;
    out.write(out.isTTY ? `\r${text}\x1b[K${phase === 'write' && done === total ? '\n' : ''}` : `${text}\n`);
  };
}

@Command({
  name: 'import',
  arguments: '<resource> <file>',
  description: `Import a CSV or XLSX file of ${SHEET_RESOURCES.join(', ')}: all or nothing, every bad row named`,
})
export class ImportSheetCommand extends CommandRunner {
  constructor(private readonly sheets: Spreadsheets) {
    super();
  }

  @Option({ flags: '--dry-run', description: 'Check every row and print what would be created or updated; write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  @Option({ flags: '--format <format>', description: 'csv or xlsx (default: from the file name)' })
  parseFormat(value: string): string {
    return value;
  }

  async run([resource, file]: string[], options: { dryRun?: boolean; format?: string }): Promise<void> {
    const [r, format] = attempt(() => [sheetResource(resource), formatFor(options.format, file)] as const);
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch (err) {
      process.stderr.write(`Cannot read ${file}: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const started = Date.now();
    const rows = await this.sheets.read(body, format).catch(report);
    const result = await this.sheets.import(r, rows, { ...CLI, source: 'import' }, { dryRun: options.dryRun, onProgress: progressLine(!!options.dryRun) }).catch(report);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    // A dry run lists what it would do, row by row (the first 50 of each kind).
    for (const action of ['create', 'update'] as const) {
      const rowsOf = (result.plan ?? []).filter((p) => p.action === action);
      for (const p of rowsOf.slice(0, 50)) process.stdout.write(`  row ${p.row}: ${action}${p.key ? ` ${p.key}` : ''}${p.id ? ` (${p.id})` : ''}\n`);
      const total = action === 'create' ? result.created : result.updated;
      if (total > Math.min(rowsOf.length, 50)) process.stdout.write(`  … and ${total - Math.min(rowsOf.length, 50)} more to ${action}\n`);
    }
    process.stdout.write(
      `${result.dryRun ? 'Dry run, nothing written: would create' : 'Created'} ${result.created}, ${result.dryRun ? 'update' : 'updated'} ${result.updated}, ${result.unchanged} unchanged, of ${result.rows} rows in ${seconds} s\n`,
    );
  }
}

@Command({
  name: 'export',
  arguments: '<resource>',
  description: `Export ${SHEET_RESOURCES.join(', ')} as CSV or XLSX, with the list's filters (--filter administrativeUnit=52 --filter kind=server)`,
})
export class ExportSheetCommand extends CommandRunner {
  constructor(private readonly sheets: Spreadsheets) {
    super();
  }

  @Option({ flags: '-o, --out <file>', description: 'Write to this file (default: standard output); the format follows its extension' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'csv or xlsx' })
  parseFormat(value: string): string {
    return value;
  }

  @Option({ flags: '--filter <name=value>', description: 'A list filter, as in the API query string; repeatable' })
  parseFilter(value: string, previous: Record<string, string> = {}): Record<string, string> {
    const at = value.indexOf('=');
    if (at < 1) {
      process.stderr.write(`--filter ${value}: expected name=value\n`);
      process.exit(1);
    }
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  }

  async run([resource]: string[], options: { out?: string; format?: string; filter?: Record<string, string> }): Promise<void> {
    const [r, format] = attempt(() => [sheetResource(resource), formatFor(options.format, options.out)] as const);
    const query = await new Input(SHEET_QUERIES[r]).transform(options.filter ?? {}).catch(report);
    // Streamed to the file or standard output, a page at a time.
    const out = options.out ? createWriteStream(options.out) : process.stdout;
    const { rows } = await this.sheets.exportTo(r, query, CLI.scope, format, out).catch(report);
    if (options.out) process.stderr.write(`Wrote ${options.out} (${rows.toLocaleString('en')} rows, ${statSync(options.out).size.toLocaleString('en')} bytes)\n`);
  }
}

@Command({
  name: 'coverage-export',
  arguments: '<plan>',
  description: 'Export a plan\'s coverage (every target, or --year) as XLSX or CSV with Vietnamese labels',
})
export class CoverageExportCommand extends CommandRunner {
  constructor(private readonly coverage: CoverageService) {
    super();
  }

  @Option({ flags: '-o, --out <file>', description: 'Write to this file; the format follows its extension (default: CSV on standard output)' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--year <year>', description: 'Only this year\'s targets' })
  parseYear(value: string): number {
    if (!/^\d{4}$/.test(value)) {
      process.stderr.write(`--year ${value}: expected a year such as 2014\n`);
      process.exit(1);
    }
    return Number(value);
  }

  @Option({ flags: '--as-of <date>', description: 'The inventory as it stood on this date (YYYY-MM-DD)' })
  parseAsOf(value: string): string {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      process.stderr.write(`--as-of ${value}: expected a date YYYY-MM-DD\n`);
      process.exit(1);
    }
    return value;
  }

  async run([plan]: string[], options: { out?: string; year?: number; asOf?: string }): Promise<void> {
    const format = attempt(() => formatFor(undefined, options.out));
    const figures = await this.coverage.planCoverage(plan, { year: options.year, asOf: options.asOf, missingLimit: 100_000 }, CLI.scope).catch(report);
    const file = await this.coverage.export(figures, format);
    if (options.out) {
      writeFileSync(options.out, file);
      process.stderr.write(`Wrote ${options.out}: ${figures.targets.length} targets of ${figures.plan.titleVi}\n`);
    } else {
      process.stdout.write(file);
    }
  }
}
