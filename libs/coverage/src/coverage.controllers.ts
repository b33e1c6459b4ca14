import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AN_OBJECT, CallerScope, Change, type ChangeContext, Input, PageQuery, pageOf, pageSchema, Permission, Requires, Returns, ReturnsSpreadsheet, schemaRef, type Scope } from '@app/inventory';
import { MISSING_PAGE_SCHEMA, OVERVIEW_SCHEMA, PLAN_COVERAGE_SCHEMA } from './coverage.schemas';
import { CoverageService } from './coverage.service';
import { CoverageQuery, CreateIndicator, CreatePlan, ExportQuery, LoadPreset, MissingQuery, OverviewExportQuery, OverviewQuery, PlanQuery, ReportValue, SaveReport, UpdateIndicator, UpdatePlan } from './coverage.dto';
import { IndicatorsService } from './indicators.service';
import { PlansService } from './plans.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Members not counting an export lists per target (the DTO's maximum). */
const MAX_MISSING = 100_000;

@ApiTags('coverage')
@Controller('indicators')
export class IndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Get()
  @Returns(pageSchema(schemaRef('Indicator')), 'A page of the indicators')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'The built-in catalogue, indicators for every province, and your province’s own' })
  list(@CallerScope() scope: Scope, @Query(new Input(PageQuery)) q: PageQuery) {
    return this.indicators.list(scope).then((items) => pageOf(items, q, 'indicators'));
  }

  @Get(':id')
  @Returns(schemaRef('Indicator'), 'The indicator')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'One indicator, by id or code' })
  get(@Param('id') id: string, @CallerScope() scope: Scope) {
    return this.indicators.get(id, scope);
  }

  @Post()
  @Returns(schemaRef('Indicator'), 'The indicator declared', 201)
  @Requires(Permission.PlansWrite)
  @ApiOperation({ summary: 'Declare an indicator (population + criterion); the declaration is checked field by field' })
  create(@Body(new Input(CreateIndicator)) body: CreateIndicator, @Change() ctx: ChangeContext) {
    return this.indicators.create(body, ctx);
  }

  @Patch(':id')
  @Returns(schemaRef('Indicator'), 'The indicator as updated')
  @Requires(Permission.PlansWrite)
  update(@Param('id') id: string, @Body(new Input(UpdateIndicator)) body: UpdateIndicator, @Change() ctx: ChangeContext) {
    return this.indicators.update(id, body, ctx);
  }

  @Delete(':id')
  @Requires(Permission.PlansWrite)
  @HttpCode(204)
  remove(@Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.indicators.remove(id, ctx);
  }

  @Get(':id/reported-values')
  @Returns(pageSchema(schemaRef('ReportedValue')), 'A page of the values entered')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'The values planners entered for a reported indicator' })
  reported(@Param('id') id: string, @CallerScope() scope: Scope, @Query(new Input(PageQuery)) q: PageQuery) {
    return this.indicators.reportedValues(id, scope).then((items) => pageOf(items, q, 'reported-values'));
  }

  @Put(':id/reported-values')
  @Returns(schemaRef('ReportedValue'), 'The value as stored')
  @Requires(Permission.PlansWrite)
  @ApiOperation({ summary: 'Enter (or replace) a reported indicator’s value for a province and year, with its source' })
  report(@Param('id') id: string, @Body(new Input(ReportValue)) body: ReportValue, @Change() ctx: ChangeContext) {
    return this.indicators.report(id, body, ctx);
  }
}

@ApiTags('coverage')
@Controller()
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly coverage: CoverageService,
  ) {}

  @Get('plan-presets')
  @Returns(pageSchema(AN_OBJECT), 'A page of the presets: code, province, title and targets of each')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'The five source plans, ready to load' })
  presets(@Query(new Input(PageQuery)) q: PageQuery) {
    return pageOf(this.plans.presets(), q, 'plan-presets');
  }

  @Post('plan-presets/:code/load')
  @Returns(schemaRef('Plan'), 'The plan created', 201)
  @Requires(Permission.PlansWrite)
  @ApiOperation({ summary: 'Create a plan from a preset, for its province or the one given' })
  load(@Param('code') code: string, @Body(new Input(LoadPreset)) body: LoadPreset, @Change() ctx: ChangeContext) {
    return this.plans.loadPreset(code, ctx, body.administrativeUnitId);
  }

  @Get('plans')
  @Returns(pageSchema(schemaRef('Plan')), 'A page of the plans')
  @Requires(Permission.CoverageRead)
  list(@CallerScope() scope: Scope, @Query(new Input(PlanQuery)) q: PlanQuery) {
    return this.plans.list(scope, q.administrativeUnitId).then((items) => pageOf(items, q, 'plans'));
  }

  @Get('plans/:id')
  @Returns(schemaRef('Plan'), 'The plan')
  @Requires(Permission.CoverageRead)
  async get(@Param('id') id: string, @CallerScope() scope: Scope) {
    const { province: _province, ...plan } = await this.plans.get(id, scope);
    return plan;
  }

  @Post('plans')
  @Returns(schemaRef('Plan'), 'The plan created', 201)
  @Requires(Permission.PlansWrite)
  create(@Body(new Input(CreatePlan)) body: CreatePlan, @Change() ctx: ChangeContext) {
    return this.plans.create(body, ctx);
  }

  @Patch('plans/:id')
  @Returns(schemaRef('Plan'), 'The plan as updated')
  @Requires(Permission.PlansWrite)
  @ApiOperation({ summary: 'Change a plan; `targets`, when given, replaces them all' })
  update(@Param('id') id: string, @Body(new Input(UpdatePlan)) body: UpdatePlan, @Change() ctx: ChangeContext) {
    return this.plans.update(id, body, ctx);
  }

  @Delete('plans/:id')
  @Requires(Permission.PlansWrite)
  @HttpCode(204)
  remove(@Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.plans.remove(id, ctx);
  }

  @Get('plans/:id/coverage')
  @Returns(PLAN_COVERAGE_SCHEMA, 'Each target: numerator, denominator, value against the target, status, gap and the units that do not count yet')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'Where the province stands against each target: value, gap, status and projection, by district, and what is missing' })
  planCoverage(@Param('id') id: string, @Query(new Input(CoverageQuery)) q: CoverageQuery, @CallerScope() scope: Scope) {
    return this.coverage.planCoverage(id, q, scope);
  }

  @Get('coverage/overview')
  @Returns(OVERVIEW_SCHEMA, 'Every province: numerator, denominator, value, its own target and status, rank')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'One indicator over every province, side by side (a whole-country account; others see their own area)' })
  overview(@Query(new Input(OverviewQuery)) q: OverviewQuery, @CallerScope() scope: Scope) {
    return this.coverage.overview(q, scope);
  }

  @Get('coverage/overview/export')
  @ReturnsSpreadsheet('The overview as a table, a row per province by rank')
  @Requires(Permission.CoverageRead)
  async exportOverview(@Query(new Input(OverviewExportQuery)) q: OverviewExportQuery, @CallerScope() scope: Scope, @Res() res: Response) {
    const { format = 'xlsx', ...rest } = q;
    const o = await this.coverage.overview(rest, scope);
    send(res, await this.coverage.exportOverview(o, format), format, `overview-${o.indicator.code}-${o.asOf}`);
  }

  @Get('plans/:id/coverage/:targetId/missing')
  @Returns(MISSING_PAGE_SCHEMA, 'A page of the members that do not count (with the reasons), and of those not measured')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'The units or agencies a target still misses, a page at a time, searchable without diacritics' })
  missing(@Param('id') id: string, @Param('targetId') targetId: string, @Query(new Input(MissingQuery)) q: MissingQuery, @CallerScope() scope: Scope) {
    return this.coverage.missing(id, targetId, q, scope);
  }

  @Get('plans/:id/coverage/export')
  @ReturnsSpreadsheet('The figures in the plans\' table layout')
  @Requires(Permission.CoverageRead)
  @ApiOperation({ summary: 'The coverage as XLSX (target table, by district, missing list) or CSV, with Vietnamese labels' })
  async exportCoverage(@Param('id') id: string, @Query(new Input(ExportQuery)) q: ExportQuery, @CallerScope() scope: Scope, @Res() res: Response) {
    const { format = 'xlsx', ...rest } = q;
    // The export lists every member that does not count (the answer's list is paged by missingLimit).
    const figures = await this.coverage.planCoverage(id, { ...rest, missingLimit: rest.missingLimit ?? MAX_MISSING }, scope);
    send(res, await this.coverage.export(figures, format), format, `coverage-${new Date().toISOString().slice(0, 10)}`);
  }

  @Post('plans/:id/reports')
  @Returns(AN_OBJECT, 'The report as frozen', 201)
  @Requires(Permission.PlansWrite)
  @ApiOperation({ summary: 'Compute and freeze a report: its figures never change afterwards' })
  saveReport(@Param('id') id: string, @Body(new Input(SaveReport)) body: SaveReport, @Change() ctx: ChangeContext) {
    return this.coverage.saveReport(id, body, ctx);
  }

  @Get('plans/:id/reports')
  @Returns(pageSchema(AN_OBJECT), 'A page of the plan\'s saved reports (without their figures)')
  @Requires(Permission.CoverageRead)
  listReports(@Param('id') id: string, @CallerScope() scope: Scope, @Query(new Input(PageQuery)) q: PageQuery) {
    return this.coverage.listReports(id, scope).then((items) => pageOf(items, q, 'reports'));
  }

  @Get('reports/:id')
  @Returns({ type: 'object', required: ['id', 'figures'], properties: { id: { type: 'string', format: 'uuid' }, planId: { type: 'string', format: 'uuid', nullable: true }, title: { type: 'string', nullable: true }, createdBy: { type: 'string' }, computedAt: { type: 'string', format: 'date-time' }, figures: PLAN_COVERAGE_SCHEMA } }, 'The report with its frozen figures')
  @Requires(Permission.CoverageRead)
  report(@Param('id') id: string, @CallerScope() scope: Scope) {
    return this.coverage.report(id, scope);
  }

  @Get('reports/:id/export')
  @ReturnsSpreadsheet('The report\'s figures in the plans\' table layout')
  @Requires(Permission.CoverageRead)
  @ApiQuery({ name: 'format', required: false, enum: ['xlsx', 'csv'] })
  async exportReport(@Param('id') id: string, @Query(new Input(ExportQuery)) q: ExportQuery, @CallerScope() scope: Scope, @Res() res: Response) {
    const report = await this.coverage.report(id, scope);
    const format = q.format ?? 'xlsx';
    send(res, await this.coverage.export(report.figures, format), format, `report-${report.computedAt.toISOString().slice(0, 10)}`);
  }
}

function send(res: Response, file: Buffer, format: 'xlsx' | 'csv', name: string): void {
  res
    .status(200)
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX)
    .setHeader('Content-Disposition', `attachment; filename="${name}.${format}"`)
    .send(file);
}
