import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change, Input } from '../shared/http';
import { PageQuery } from '../shared/list-query';
import { AN_OBJECT, Returns, ReturnsSpreadsheet } from '../shared/responses';
import { InventoryError } from '../shared/inventory-error';
import { Spreadsheets } from '../spreadsheets/spreadsheets.service';
import { SUCCESSION_STATUSES, type SuccessionStatus } from './unit-succession.entity';
import { UnitSuccessionsService } from './unit-successions.service';
import type { NewCommune } from './successions';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const uuid = new ParseUUIDPipe({ version: undefined });

export class SuccessionListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: SUCCESSION_STATUSES })
  @IsOptional()
  @IsIn(SUCCESSION_STATUSES, { message: `status must be one of ${SUCCESSION_STATUSES.join(', ')}` })
  status?: SuccessionStatus;

  @ApiPropertyOptional({ description: 'The new province\'s code (52)' })
  @IsOptional()
  @Matches(/^\d{2}$/, { message: 'province is a province\'s 2-digit code' })
  province?: string;
}

export class ProposeQuery {
  @ApiPropertyOptional({ description: 'The day the new units came into force', default: '2025-07-01' })
  @IsOptional()
  @IsString()
  effectiveOn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: string;
}

export class PlanQuery {
  @ApiPropertyOptional({ description: 'The new province\'s code' })
  @Matches(/^\d{2}$/, { message: 'province is a province\'s 2-digit code' })
  province: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  effectiveOn?: string;
}

export class ReviewSuccession {
  @ApiPropertyOptional({ format: 'uuid', description: 'The old unit the name means' })
  @IsOptional()
  @IsUUID('all', { message: 'oldUnitId must be a UUID' })
  oldUnitId?: string;

  @ApiPropertyOptional({ description: '…or its GSO code; neither: the proposal is confirmed as it is' })
  @IsOptional()
  @Matches(/^\d{3}(\d{2})?$/, { message: 'oldCode is the GSO code of a district (3 digits) or commune (5 digits)' })
  oldCode?: string;

  @ApiPropertyOptional({ enum: ['whole', 'part'] })
  @IsOptional()
  @IsIn(['whole', 'part'], { message: 'share is whole or part' })
  share?: 'whole' | 'part';
}

const SUCCESSION_SCHEMA = { type: 'object', additionalProperties: true, description: 'A name of a new commune\'s text, the old unit it names (or the candidates), its status, who confirmed it' };

@ApiTags('administrative-units')
@Controller('unit-successions')
export class UnitSuccessionsController {
  constructor(
    private readonly successions: UnitSuccessionsService,
    private readonly sheets: Spreadsheets,
  ) {}

  @Post('propose')
  @HttpCode(200)
  @Requires(Permission.UnitsWrite)
  @Returns(AN_OBJECT, 'What was proposed: names, resolved, open, confirmed rows kept')
  @ApiOperation({
    summary: 'Propose, from the official texts, the old unit each name of each new commune\'s text means',
    description:
      'The body is the texts as a JSON array of `{ code, fullName, provinceCode, before }` (reorganisation-2025-communes.json). The new communes must be units valid from `effectiveOn` (import the new list first); the old units are those of the day before. Rows a person confirmed are kept as they are.',
  })
  @ApiBody({ schema: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, fullName: { type: 'string' }, provinceCode: { type: 'string' }, before: { type: 'string', nullable: true } } } } })
  propose(@Body() body: unknown, @Query(new Input(ProposeQuery)) q: ProposeQuery, @Change() ctx: ChangeContext) {
    return this.successions.propose(body as NewCommune[], q.effectiveOn ?? '2025-07-01', { ...ctx, source: 'import' }, { dryRun: q.dryRun === 'true' });
  }

  @Get()
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, 'A page of names with their proposals, and the counts by status')
  @ApiOperation({ summary: 'The mapping: each name of each new commune\'s text and the old unit it means; status=open for those a person must decide' })
  list(@Query(new Input(SuccessionListQuery)) q: SuccessionListQuery, @CallerScope() scope: Scope) {
    return this.successions.list(q, scope);
  }

  @Get('sheet')
  @Requires(Permission.InventoryRead)
  @ReturnsSpreadsheet('The mapping as a workbook: fill in oldCode, share or confirm, and send it back with PUT')
  @ApiQuery({ name: 'status', required: false, enum: SUCCESSION_STATUSES })
  @ApiQuery({ name: 'province', required: false })
  async sheet(@Query(new Input(SuccessionListQuery)) q: SuccessionListQuery, @CallerScope() scope: Scope, @Res() res: Response): Promise<void> {
    const file = await this.successions.sheet(q, scope);
    res.status(200).type(XLSX).setHeader('Content-Disposition', `attachment; filename="successions${q.province ? `-${q.province}` : ''}${q.status ? `-${q.status}` : ''}.xlsx"`).send(file);
  }

  @Put('sheet')
  @HttpCode(200)
  @Requires(Permission.UnitsWrite)
  @Returns(AN_OBJECT, 'Rows read, confirmed, unchanged')
  @ApiOperation({ summary: 'The reviewed workbook back: each row with a changed oldCode or share, or marked in confirm, is confirmed (all rows or none)' })
  @ApiConsumes(XLSX)
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  async applySheet(@Body() body: Buffer | string, @Req() req: Request, @Query('dryRun') dryRun: string | undefined, @Change() ctx: ChangeContext) {
    if (!Buffer.isBuffer(body) || body.length === 0 || !req.is(XLSX)) {
      throw InventoryError.invalid('No file', [{ field: 'file', message: 'send the workbook as the request body with the XLSX Content-Type' }]);
    }
    const rows = await this.sheets.read(body, 'xlsx');
    return this.successions.applySheet(rows as Array<Record<string, string>>, ctx, { dryRun: dryRun === 'true' });
  }

  @Get('plan')
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, 'Units ending and beginning, agencies and equipment that move or wait for a decision, committees to begin, staffing to enter, the decisions still open')
  @ApiOperation({ summary: 'A dry run of carrying one new province across the reorganisation, from the mapping as it stands (reads only)' })
  @ApiQuery({ name: 'province', required: true, description: 'The new province\'s code (52: Tỉnh Gia Lai)' })
  @ApiQuery({ name: 'effectiveOn', required: false, description: 'Default 2025-07-01' })
  plan(@Query(new Input(PlanQuery)) q: PlanQuery, @CallerScope() scope: Scope) {
    return this.successions.plan(q.effectiveOn ?? '2025-07-01', q.province, scope);
  }

  @Get(':id')
  @Requires(Permission.InventoryRead)
  @Returns(SUCCESSION_SCHEMA, 'The name, its proposal and candidates')
  get(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.successions.get(id, scope);
  }

  @Patch(':id')
  @Requires(Permission.UnitsWrite)
  @Returns(SUCCESSION_SCHEMA, 'The name as confirmed, with who and when')
  @ApiOperation({ summary: 'Decide one name: the old unit it means (oldUnitId or oldCode), or confirm the proposal as it is' })
  review(@Param('id', uuid) id: string, @Body(new Input(ReviewSuccession)) body: ReviewSuccession, @Change() ctx: ChangeContext) {
    return this.successions.review(id, body, ctx);
  }
}
