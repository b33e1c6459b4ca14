import { Returns, ReturnsSpreadsheet } from '../shared/responses';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiExtension, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change, Input } from '../shared/http';
import { InventoryError } from '../shared/inventory-error';
import { isUuid } from '../shared/inventory-resource';
import { ImportProgressBoard, type ImportState } from './import-progress';
import { type ImportOutcome, SHEET_QUERIES, SHEET_RESOURCES, Spreadsheets, sheetFormat, sheetResource } from './spreadsheets.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('spreadsheets')
@Controller()
export class SpreadsheetsController {
  constructor(
    private readonly sheets: Spreadsheets,
    private readonly progress: ImportProgressBoard,
  ) {}

  @Get('imports/:importId')
  @Returns({ type: 'object', required: ['phase', 'done', 'total', 'startedAt'], properties: { phase: { type: 'string', enum: ['read', 'check', 'write', 'done', 'failed'], description: 'read: parsing the file; check: rows checked (done of total); write: writing, in one transaction; done or failed: answered' }, done: { type: 'integer' }, total: { type: 'integer' }, startedAt: { type: 'string', format: 'date-time' } } }, 'Where the import stands')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Where an import in progress stands', description: 'For an import sent with the header `X-Import-Id`, by the same caller: read it while waiting for the import\'s answer to show its progress. Kept ten minutes after its last change.' })
  importProgress(@Param('importId') id: string, @Change() ctx: ChangeContext): ImportState {
    const state = isUuid(id) ? this.progress.get(id, ownerOf(ctx)) : undefined;
    if (!state) throw InventoryError.notFound('import', id);
    return state;
  }

  @Post(':resource/import')
  @Returns({ type: 'object', required: ['dryRun', 'rows', 'created', 'updated', 'unchanged'], properties: { dryRun: { type: 'boolean' }, rows: { type: 'integer' }, created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, plan: { type: 'array', description: 'A dry run: what each row would do (first 1,000 rows)', items: { type: 'object', properties: { row: { type: 'integer' }, action: { type: 'string', enum: ['create', 'update', 'unchanged'] }, id: { type: 'string', format: 'uuid' }, key: { type: 'string', description: 'The row\'s code, serial number, circuit or name' } } } } } }, 'What was (or, in a dry run, would be) created, updated and left unchanged')
  @Requires(Permission.InventoryWrite)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import a CSV or XLSX file of agencies, devices, WAN links or LANs (all or nothing)',
    description:
      'Send the file as the body (Content-Type text/csv or the XLSX type), or as the `file` field of a multipart form. The first row names the columns: the API field names, plus agencyCode / administrativeUnitCode / parentCode to refer by code. An `id` column, or a natural key that exists (agency code, device serial number, provider + circuit id), updates that record; other rows are created. Dates may be YYYY-MM-DD, dd/mm/yyyy or date cells. Every bad row is reported with its row number and column, and nothing is written. `dryRun=true` reports what would be created or changed.',
  })
  @ApiParam({ name: 'resource', enum: SHEET_RESOURCES })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'xlsx'], description: 'Defaults from the Content-Type' })
  @ApiHeader({ name: 'X-Import-Id', required: false, description: 'A UUID of the sender\'s choice: GET /imports/{id} then tells how far the import has got' })
  @ApiConsumes('text/csv', XLSX, 'multipart/form-data')
  @ApiBody({ description: 'The file as the body, or (as browsers and "Try it out" send it) as the `file` field of a form', schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiExtension('x-hatang-file-upload', true)
  // A form's file is read into memory (at most the body limit), as a plain body is.
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 0 } }))
  async import(
    @Param('resource') resource: string,
    @Body() plainBody: Buffer | string,
    @UploadedFile() file: { buffer: Buffer; originalname: string; mimetype: string } | undefined,
    @Req() req: Request,
    @Query('format') format: string | undefined,
    @Query('dryRun') dryRun: string | undefined,
    @Headers('x-import-id') importId: string | undefined,
    @Change() ctx: ChangeContext,
  ): Promise<ImportOutcome> {
    if (importId !== undefined && !isUuid(importId)) throw InventoryError.invalid('Bad import id', [{ field: 'X-Import-Id', message: 'X-Import-Id must be a UUID', value: String(importId).slice(0, 80) }]);
    const r = sheetResource(resource);
    const body = file ? file.buffer : plainBody;
    const xlsx = file ? file.mimetype === XLSX || /\.xlsx$/i.test(file.originalname) : !!req.is(XLSX);
    const f = sheetFormat(format, xlsx ? 'xlsx' : 'csv');
    if (!(typeof body === 'string' || Buffer.isBuffer(body)) || body.length === 0) {
      throw InventoryError.invalid('No file', [{ field: 'file', message: 'send the file as the request body with Content-Type text/csv or the XLSX type, or as the file field of a multipart form' }]);
    }
    const report = importId ? this.progress.start(importId, ownerOf(ctx)) : undefined;
    try {
      const rows = await this.sheets.read(body, f);
      const outcome = await this.sheets.import(r, rows, { ...ctx, source: 'import' }, { dryRun: dryRun === 'true', onProgress: report });
      report?.({ phase: 'done', done: outcome.rows, total: outcome.rows });
      return outcome;
    } catch (err) {
      report?.({ phase: 'failed', done: 0, total: 0 });
      throw err;
    }
  }

  @Get(':resource/export')
  @ReturnsSpreadsheet('Every row matching the filters, in the import\'s columns')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Export a list as CSV or XLSX, with the same filters as the list' })
  @ApiParam({ name: 'resource', enum: SHEET_RESOURCES })
  @ApiQuery({ name: 'format', required: false, enum: ['csv', 'xlsx'] })
  async export(@Param('resource') resource: string, @Query() raw: Record<string, string>, @CallerScope() scope: Scope, @Res() res: Response): Promise<void> {
    const r = sheetResource(resource);
    const { format, ...filters } = raw;
    const f = sheetFormat(format, 'csv');
    const query = await new Input(SHEET_QUERIES[r]).transform(filters);
    // Streamed: the answer starts with the first page, and stops when the client goes away.
    await this.sheets.exportTo(r, query, scope, f, res, () =>
      res
        .status(200)
        .type(f === 'csv' ? 'text/csv; charset=utf-8' : XLSX)
        .setHeader('Content-Disposition', `attachment; filename="${r}-${new Date().toISOString().slice(0, 10)}.${f}"`),
    );
  }
}

/** Who may read an import's progress: the account or token that sent it. */
const ownerOf = (ctx: ChangeContext) => `${ctx.actor}\u0000${ctx.tokenId ?? ''}`;
