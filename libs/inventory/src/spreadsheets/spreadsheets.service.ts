import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { Injectable, type Type } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { csvCell, fromCsvCell } from '../shared/csv-safe';
import { parseDay } from '../shared/dates';
import { checkSheetSize, checkXlsxSize } from './xlsx-limits';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { AdministrativeUnit } from '../administrative-units/administrative-unit.entity';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import { AgenciesService } from '../agencies/agencies.service';
import { AgencyQuery, CreateAgency, UpdateAgency } from '../agencies/agency.dto';
import { Agency } from '../agencies/agency.entity';
import type { Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { CreateDevice, DeviceQuery, UpdateDevice } from '../equipment/device.dto';
import { Device } from '../equipment/device.entity';
import { DevicesService } from '../equipment/devices.service';
import { CreateLan, LanQuery, UpdateLan } from '../equipment/lan.dto';
import { LansService } from '../equipment/lans.service';
import { CreateWanLink, UpdateWanLink, WanLinkQuery } from '../equipment/wan-link.dto';
import { WanLink } from '../equipment/wan-link.entity';
import { WanLinksService } from '../equipment/wan-links.service';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '../shared/inventory-error';
import { anyOf, type Identified, type InventoryResource, isUuid, type WriteOutcome } from '../shared/inventory-resource';
import type { ListQuery } from '../shared/list-query';
import { validateInput } from '../shared/validation';

export const SHEET_RESOURCES = ['agencies', 'devices', 'wan-links', 'lans'] as const;
export type SheetResource = (typeof SHEET_RESOURCES)[number];
export type SheetFormat = 'csv' | 'xlsx';
/** The resource a request or command names, or a clear error. */
export function sheetResource(name: string): SheetResource {
  if ((SHEET_RESOURCES as readonly string[]).includes(name)) return name as SheetResource;
  throw InventoryError.invalid(`Unknown resource "${name}"`, [{ field: 'resource', message: `one of ${SHEET_RESOURCES.join(', ')}`, value: name }]);
}

/** csv or xlsx; `fallback` when none is named. */
export function sheetFormat(value: string | undefined, fallback: SheetFormat): SheetFormat {
  if (value === undefined || value === '') return fallback;
  if (value === 'csv' || value === 'xlsx') return value;
  throw InventoryError.invalid('Unknown format', [{ field: 'format', message: 'format must be csv or xlsx', value }]);
}

/** The list query (filters) each exportable resource accepts. */
export const SHEET_QUERIES: Record<SheetResource, Type<ListQuery>> = { agencies: AgencyQuery, devices: DeviceQuery, 'wan-links': WanLinkQuery, lans: LanQuery };

type Row = Record<string, string>;

interface SheetSpec {
  service: InventoryResource<Identified, object, object>;
  create: Type<object>;
  update: Type<object>;
  /** Columns holding numbers (cells arrive as text). */
  numeric: string[];
  /** Columns of the export, in order. */
  columns: string[];
  /** Reference columns by code, resolved to ids: column → [field, lookup, the records' owner]. */
  refs: Record<string, [string, (codes: string[]) => Promise<Map<string, string>>, InventoryResource<Identified, object, object>]>;
  /** The record an imported row updates, by its natural key; rows without a match are created. */
  match?: (rows: Row[]) => Promise<Array<string | undefined>>;
  /** A reference column that may name a row of the same file by its key column (a parent agency). */
  selfRef?: { column: string; key: string };
}

export interface ImportOutcome {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  /** Rows that match a record and would change nothing in it: nothing written, nothing audited. */
  unchanged: number;
  /** What each row does (first 1,000 rows of a dry run). */
  plan?: Array<{ row: number; action: 'create' | 'update' | 'unchanged'; id?: string; key?: string }>;
}

/** Where a long import stands: rows checked, then rows written (in one transaction). */
export interface ImportProgress {
  phase: 'check' | 'write';
  done: number;
  total: number;
}

const EXPORT_OMIT = new Set(['createdAt', 'updatedAt']);
/** Columns holding a day. */
const DATE_COLUMNS = /(On|^validFrom|^validTo)$/;
const ROLLBACK = Symbol('dry run');

@Injectable()
export class Spreadsheets {
  private readonly specs: Record<SheetResource, SheetSpec>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    units: AdministrativeUnitsService,
    agencies: AgenciesService,
    devices: DevicesService,
    wanLinks: WanLinksService,
    lans: LansService,
  ) {
    const byCode = <T extends { id: string }>(entity: Type<T>, column: string, extra = '') => async (codes: string[]) => {
      const rows: Array<{ id: string; code: string }> = await this.ds.query(
        `SELECT id, ${column} AS code FROM ${this.ds.getMetadata(entity).tableName} WHERE ${column} = ANY($1) ${extra}`,
        [codes],
      );
      return new Map(rows.map((r) => [r.code, r.id]));
    };
    // A code names the current agency: one that ended (an old commune's) keeps its code beside its successor's.
    const agencyByCode = byCode(Agency, 'code', 'AND valid_to IS NULL');
    const equipmentCols = ['status', 'commissionedOn', 'retiredOn', 'notes'];
    this.specs = {
      agencies: {
        service: agencies as never,
        create: CreateAgency,
        update: UpdateAgency,
        numeric: [],
        columns: ['id', 'code', 'name', 'kind', 'sector', 'administrativeUnitId', 'parentId', 'address'],
        refs: {
          administrativeUnitCode: ['administrativeUnitId', byCode(AdministrativeUnit, 'code', 'AND valid_to IS NULL'), units as never],
          parentCode: ['parentId', agencyByCode, agencies as never],
        },
        selfRef: { column: 'parentCode', key: 'code' },
        match: async (rows) => {
          const ids = await agencyByCode(rows.map((r) => r.code).filter(Boolean));
          return rows.map((r) => (r.code ? ids.get(r.code) : undefined));
        },
      },
      devices: {
        service: devices as never,
        create: CreateDevice,
        update: UpdateDevice,
        numeric: [],
        columns: ['id', 'agencyId', 'kind', 'name', 'serialNumber', 'model', 'manufacturer', 'managementAddress', 'lanId', 'dataCentre', 'rack', 'role', 'meetingSystem', 'staffPosition', ...equipmentCols],
        refs: { agencyCode: ['agencyId', agencyByCode, agencies as never] },
        match: async (rows) => {
          const serials = rows.map((r) => r.serialNumber).filter(Boolean);
          const found: Array<{ id: string; serial_number: string }> = await this.ds.query(
            `SELECT id, serial_number FROM ${this.ds.getMetadata(Device).tableName} WHERE serial_number = ANY($1)`,
            [serials],
          );
          const ids = new Map(found.map((f) => [f.serial_number, f.id]));
          return rows.map((r) => (r.serialNumber ? ids.get(r.serialNumber) : undefined));
        },
      },
      'wan-links': {
        service: wanLinks as never,
        create: CreateWanLink,
        update: UpdateWanLink,
        numeric: ['bandwidthMbps', 'ifIndex'],
        columns: ['id', 'agencyId', 'network', 'medium', 'bandwidthMbps', 'provider', 'circuitId', 'deviceId', 'ifIndex', 'interfaceName', ...equipmentCols],
        refs: { agencyCode: ['agencyId', agencyByCode, agencies as never] },
        match: async (rows) => {
          const found = await this.ds.getRepository(WanLink).find({ select: { id: true, provider: true, circuitId: true }, where: { circuitId: anyOf(rows.map((r) => r.circuitId).filter(Boolean)) } });
          const ids = new Map(found.map((w) => [`${w.provider ?? ''}\u0000${w.circuitId}`, w.id]));
          return rows.map((r) => (r.circuitId ? ids.get(`${r.provider ?? ''}\u0000${r.circuitId}`) : undefined));
        },
      },
      lans: {
        service: lans as never,
        create: CreateLan,
        update: UpdateLan,
        numeric: ['departmentsJoined', 'departmentsTotal'],
        columns: ['id', 'agencyId', 'name', 'departmentsJoined', 'departmentsTotal', 'completedOn', ...equipmentCols],
        refs: { agencyCode: ['agencyId', agencyByCode, agencies as never] },
      },
    };
  }

  /** Reads a CSV (UTF-8, comma or semicolon) or the first sheet of an XLSX into rows keyed by header. */
  async read(body: Buffer | string, format: SheetFormat): Promise<Row[]> {
    if (format === 'csv') {
      const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
      const nul = text.indexOf('\u0000');
      if (nul >= 0) {
        const line = text.slice(0, nul).split('\n').length;
        throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file holds a NUL character', [{ field: 'file', row: line, message: `line ${line} contains a NUL character (\\u0000), which cannot be stored` }]);
      }
      const firstLine = text.slice(0, text.indexOf('\n') >>> 0);
      try {
        const rows = parseCsv(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, delimiter: firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',' }) as Row[];
        checkSheetSize(rows.length + 1, Object.keys(rows[0] ?? {}).length);
        // Cells our exports neutralised (a leading apostrophe before =, +, -, @) read back as they were.
        for (const row of rows) for (const k of Object.keys(row)) if (row[k].startsWith("'")) row[k] = fromCsvCell(row[k]);
        return rows;
      } catch (err) {
        if (err instanceof InventoryError) throw err;
        throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file is not readable CSV', [{ field: 'file', message: (err as Error).message }]);
      }
    }
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
    await checkXlsxSize(buffer);
    const book = new ExcelJS.Workbook();
    try {
      await book.xlsx.load(buffer as never);
    } catch (err) {
      throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file is not a readable XLSX workbook', [{ field: 'file', message: (err as Error).message }]);
    }
    const sheet = book.worksheets[0];
    if (!sheet) return [];
    checkSheetSize(sheet.rowCount, sheet.columnCount);
    const headers: string[] = [];
    sheet.getRow(1).eachCell((cell, col) => (headers[col] = String(cell.text).trim()));
    const rows: Row[] = [];
    for (let r = 2; r <= sheet.rowCount; r++) {
      const row: Row = {};
      let any = false;
      sheet.getRow(r).eachCell((cell, col) => {
        if (!headers[col]) return;
        const v = cell.value instanceof Date ? cell.value.toISOString().slice(0, 10) : String(cell.text).trim();
        if (v !== '') any = true;
        row[headers[col]] = v;
      });
      if (any) rows.push(row);
    }
    return rows;
  }

  /**
   * All or nothing: every row is checked (types, references, uniqueness, lifecycle) and every bad
   * one reported with its row number and column; nothing is written unless all are good. A dry
   * run does the same work in a transaction that is rolled back.
   */
  async import(
    resource: SheetResource,
    rows: Row[],
    ctx: ChangeContext,
    options: { dryRun?: boolean; onProgress?: (progress: ImportProgress) => void } = {},
  ): Promise<ImportOutcome> {
    const spec = this.specs[resource];
    if (!rows.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file has no data rows', [{ field: 'file', message: 'no rows after the header' }]);
    const rowNumber = (i: number) => i + 2; // header is row 1
    const problems: FieldProblem[] = [];
    const known = new Set([...spec.columns, ...Object.keys(spec.refs)]);
    for (const header of Object.keys(rows[0])) {
      if (!known.has(header)) problems.push({ field: header, column: header, row: 1, message: `unknown column; expected some of: ${[...known].join(', ')}` });
    }
    if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The file has unknown columns', problems);

    // Resolve reference codes in one query per column. A code the importer cannot see does not
    // exist for it (no such code), as a record outside its scope does not.
    const resolved = new Map<string, Map<string, string>>();
    for (const [column, [, lookup, owner]] of Object.entries(spec.refs)) {
      const codes = [...new Set(rows.map((r) => r[column]).filter(Boolean))];
      const found = codes.length ? await lookup(codes) : new Map<string, string>();
      const visible = await owner.visibleIds([...found.values()], ctx.scope);
      resolved.set(column, new Map([...found].filter(([, id]) => visible.has(id))));
    }
    // The record a row updates: its id column, or its natural key. A match the importer cannot
    // see is no match (the row is then checked as a new record, and a taken key is named as
    // taken, never with the other record's id).
    const matched = spec.match ? await spec.match(rows) : rows.map(() => undefined);
    const byId = rows.map((r) => (r.id && isUuid(r.id) ? r.id : undefined));
    const visibleRecords = await spec.service.visibleIds([...matched, ...byId].filter((id): id is string => !!id), ctx.scope);
    const existing = rows.map((_, i) => {
      const id = byId[i] ?? matched[i];
      return id && visibleRecords.has(id) ? id : undefined;
    });
    for (const [i, r] of rows.entries()) {
      if (r.id && !existing[i]) problems.push({ field: 'id', column: 'id', row: rowNumber(i), message: isUuid(r.id) ? `no ${resource.replace(/s$/, '').replace('-', ' ')} has this id (leave the id column empty to create one)` : 'id must be a UUID, or empty for a new record', value: r.id });
      else if (r.id && matched[i] && matched[i] !== r.id && visibleRecords.has(matched[i]!)) problems.push({ field: 'id', column: 'id', row: rowNumber(i), message: 'the id and the natural key (code, serial number or circuit) name two different records' });
    }
    // New rows get their ids now, so another row of the file can refer to them.
    const newIds = rows.map((_, i) => (existing[i] ? undefined : randomUUID()));
    if (spec.selfRef) {
      const refs = resolved.get(spec.selfRef.column)!;
      rows.forEach((r, i) => {
        const key = r[spec.selfRef!.key];
        if (key && !refs.has(key)) refs.set(key, existing[i] ?? newIds[i]!);
      });
    }

    const creates: Array<{ i: number; value: object }> = [];
    const updates: Array<{ i: number; value: object & Identified }> = [];
    for (const [i, raw] of rows.entries()) {
      const input: Record<string, unknown> = {};
      const rowProblems: FieldProblem[] = [];
      for (const [column, text] of Object.entries(raw)) {
        if (text === '' || text === undefined || column === 'id') continue;
        const ref = spec.refs[column];
        if (ref) {
          const id = resolved.get(column)!.get(text);
          if (!id) rowProblems.push({ field: ref[0], column, row: rowNumber(i), message: `no such code: ${text}`, value: text });
          else input[ref[0]] = id;
        } else {
          // Dates as offices type them (31/12/2015) as well as 2015-12-31; a date cell arrives as the latter.
          const day = DATE_COLUMNS.test(column) ? parseDay(text) : null;
          input[column] = day ?? (spec.numeric.includes(column) && /^-?\d+([.,]\d+)?$/.test(text) ? Number(text.replace(',', '.')) : text);
        }
      }
      const id = existing[i];
      const { value, problems: p } = await validateInput(id ? spec.update : spec.create, input);
      const unresolved = new Set(rowProblems.map((x) => x.field));
      rowProblems.push(...p.filter((x) => !unresolved.has(x.field)).map((x) => ({ ...x, row: rowNumber(i), column: columnOf(x.field, spec, raw) })));
      problems.push(...rowProblems);
      if (!rowProblems.length) {
        if (id) updates.push({ i, value: Object.assign(value, { id }) });
        else creates.push({ i, value: Object.assign(value, { id: newIds[i] }) });
      }
      if (i % 500 === 499) {
        options.onProgress?.({ phase: 'check', done: i + 1, total: rows.length });
        // The checks resolve in microtasks only: without a turn of the event loop now and then, a
        // large file would hold every other request (and its own progress reads) until it is done.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    // The rows that passed go through the write's checks (references, uniqueness, lifecycle) even
    // when others failed, rolled back, so the file's every problem is reported in one answer.
    const order = [...creates.map((c) => c.i), ...updates.map((u) => u.i)];
    const keep = !options.dryRun && !problems.length;
    options.onProgress?.({ phase: 'check', done: rows.length, total: rows.length });
    options.onProgress?.({ phase: 'write', done: 0, total: creates.length + updates.length });
    // A turn of the event loop, so a progress read already waiting learns of the write before it starts.
    if (options.onProgress) await new Promise((resolve) => setImmediate(resolve));
    let forbidden = false;
    const outcome: WriteOutcome = {};
    try {
      await this.ds.transaction(async (m) => {
        await spec.service.write({ create: creates.map((c) => c.value), update: updates.map((u) => u.value) }, { ...ctx, source: 'import' }, m, { indexed: true, outcome });
        if (!keep) throw ROLLBACK;
      });
    } catch (err) {
      if (err !== ROLLBACK) {
        if (!(err instanceof InventoryError)) throw err;
        forbidden = err.code === InventoryErrorCode.Forbidden;
        // Map "[k].field" of the write back to the spreadsheet's row k.
        problems.push(
          ...err.problems.map((p) => {
            const m = /^\[(\d+)\]\.?(.*)$/.exec(p.field);
            const at = m ? order[Number(m[1])] : undefined;
            const field = m ? m[2] : p.field;
            // "also appears at [3]" names the write's item 3: say the file's row instead.
            const message = p.message.replace(/at \[(\d+)\]/g, (whole, k: string) => (order[Number(k)] === undefined ? whole : `in row ${rowNumber(order[Number(k)])}`));
            return { ...p, field, message, row: at === undefined ? undefined : rowNumber(at), column: columnOf(field, spec, at === undefined ? undefined : rows[at]) };
          }),
        );
      }
    }
    if (problems.length) throw rejected(problems, forbidden);
    // The write's item k is the file's row order[k].
    const unchangedRows = new Set([...(outcome.unchangedIndexes ?? [])].map((k) => order[k]));
    options.onProgress?.({ phase: 'write', done: creates.length + updates.length, total: creates.length + updates.length });
    return {
      dryRun: !!options.dryRun,
      rows: rows.length,
      created: creates.length,
      updated: updates.length - unchangedRows.size,
      unchanged: unchangedRows.size,
      ...(options.dryRun
        ? {
            plan: rows
              .slice(0, 1000)
              .map((r, i) => ({
                row: rowNumber(i),
                action: unchangedRows.has(i) ? ('unchanged' as const) : existing[i] ? ('update' as const) : ('create' as const),
                ...(existing[i] ? { id: existing[i] } : {}),
                // What a person knows the row by: its code, serial number, circuit or name.
                ...(r.code || r.serialNumber || r.circuitId || r.name ? { key: r.code || r.serialNumber || r.circuitId || r.name } : {}),
              })),
          }
        : {}),
    };
  }

  /**
   * Streams every row matching the filters to `out` as CSV or XLSX, a page of 1,000 at a time
   * with back-pressure, so memory stays flat however long the list. Stops (resolving with
   * `complete: false`) when `out` is closed before the end: a client that went away.
   * `ready` runs once the first page is read, before anything is written (an HTTP answer sets
   * its headers there; a bad filter has thrown by then).
   */
  async exportTo(
    resource: SheetResource,
    query: ListQuery,
    scope: Scope,
    format: SheetFormat,
    out: Writable,
    ready: () => void = () => undefined,
  ): Promise<{ rows: number; complete: boolean }> {
    const spec = this.specs[resource];
    const columns = spec.columns.filter((c) => !EXPORT_OMIT.has(c));
    const cells = (item: unknown) => columns.map((c) => (item as Record<string, unknown>)[c] ?? '');
    const pages = spec.service.all(query, scope);
    let page = await pages.next();
    ready();
    const gone = () => out.destroyed || out.writableEnded;
    const drained = () =>
      new Promise<void>((resolve) => {
        if (!out.writableNeedDrain || gone()) return resolve();
        const done = () => {
          out.off('drain', done).off('close', done);
          resolve();
        };
        out.on('drain', done).on('close', done);
      });
    // CSV: each page written as text. XLSX: ExcelJS's streaming writer commits each row to the zip stream and lets it go.
    const book = format === 'xlsx' ? new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true }) : null;
    const sheet = book?.addWorksheet(resource, { views: [{ state: 'frozen', ySplit: 1 }] });
    if (sheet) {
      // Wide enough to read a UUID, a date or a name without widening columns by hand.
      sheet.columns = columns.map((c) => ({ key: c, width: /(^id|Id)$/.test(c) ? 38 : /On$/.test(c) ? 12 : /^(name|notes|address|staffPosition)$/.test(c) ? 30 : 16 }));
      const header = sheet.addRow(columns);
      header.font = { bold: true };
      header.commit();
    } else out.write(`\uFEFF${stringifyCsv([columns])}`);
    let rows = 0;
    for (; !page.done && !gone(); page = await pages.next()) {
      if (sheet) for (const item of page.value) sheet.addRow(cells(item)).commit();
      else out.write(stringifyCsv(page.value.map((item) => cells(item).map(csvCell))));
      rows += page.value.length;
      await drained();
    }
    if (gone()) {
      await pages.return(undefined);
      return { rows, complete: false };
    }
    if (sheet && book) {
      sheet.commit();
      await book.commit();
    } else await new Promise<void>((resolve) => out.end(resolve));
    return { rows, complete: true };
  }
}

function columnOf(field: string, spec: SheetSpec, row?: Row): string {
  if (row && field in row) return field;
  const byRef = Object.entries(spec.refs).find(([, [f]]) => f === field);
  return byRef ? byRef[0] : field;
}

/** The file's problems by row; a row outside the importer's scope makes it a 403. */
function rejected(problems: FieldProblem[], forbidden = false): InventoryError {
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  const rows = new Set(problems.map((p) => p.row)).size;
  const why = forbidden ? 'rows outside your scope or with other problems' : 'row(s) have problems';
  return new InventoryError(forbidden ? InventoryErrorCode.Forbidden : InventoryErrorCode.ImportRejected, `Nothing was imported: ${rows} ${why}`, problems);
}
