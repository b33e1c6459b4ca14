import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Change, type ChangeContext, Input } from '@app/inventory';
import { CoverageService } from './coverage.service';
import { CoverageQuery, CreateIndicator, CreatePlan, ExportQuery, LoadPreset, ReportValue, SaveReport, UpdateIndicator, UpdatePlan } from './coverage.dto';
import { IndicatorsService } from './indicators.service';
import { PlansService } from './plans.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@ApiTags('coverage')
@Controller('indicators')
export class IndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Get()
  @ApiOperation({ summary: 'The built-in catalogue and the planners’ own indicators' })
  list() {
    return this.indicators.list().then((items) => ({ items, total: items.length }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One indicator, by id or code' })
  get(@Param('id') id: string) {
    return this.indicators.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Declare an indicator (population + criterion); the declaration is checked field by field' })
  create(@Body(new Input(CreateIndicator)) body: CreateIndicator, @Change() ctx: ChangeContext) {
    return this.indicators.create(body, ctx);
  }

  @Patch(':id')
  update(@Param('id') id: string, @Body(new Input(UpdateIndicator)) body: UpdateIndicator, @Change() ctx: ChangeContext) {
    return this.indicators.update(id, body, ctx);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.indicators.remove(id, ctx);
  }

  @Get(':id/reported-values')
  @ApiOperation({ summary: 'The values planners entered for a reported indicator' })
  reported(@Param('id') id: string) {
    return this.indicators.reportedValues(id).then((items) => ({ items, total: items.length }));
  }

  @Put(':id/reported-values')
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
  @ApiOperation({ summary: 'The five source plans, ready to load' })
  presets() {
    const items = this.plans.presets();
    return { items, total: items.length };
  }

  @Post('plan-presets/:code/load')
  @ApiOperation({ summary: 'Create a plan from a preset, for its province or the one given' })
  load(@Param('code') code: string, @Body(new Input(LoadPreset)) body: LoadPreset, @Change() ctx: ChangeContext) {
    return this.plans.loadPreset(code, ctx, body.administrativeUnitId);
  }

  @Get('plans')
  @ApiQuery({ name: 'administrativeUnitId', required: false })
  list(@Query('administrativeUnitId') unit?: string) {
    return this.plans.list(unit).then((items) => ({ items, total: items.length }));
  }

  @Get('plans/:id')
  get(@Param('id') id: string) {
    return this.plans.get(id);
  }

  @Post('plans')
  create(@Body(new Input(CreatePlan)) body: CreatePlan, @Change() ctx: ChangeContext) {
    return this.plans.create(body, ctx);
  }

  @Patch('plans/:id')
  @ApiOperation({ summary: 'Change a plan; `targets`, when given, replaces them all' })
  update(@Param('id') id: string, @Body(new Input(UpdatePlan)) body: UpdatePlan, @Change() ctx: ChangeContext) {
    return this.plans.update(id, body, ctx);
  }

  @Delete('plans/:id')
  @HttpCode(204)
  remove(@Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.plans.remove(id, ctx);
  }

  @Get('plans/:id/coverage')
  @ApiOperation({ summary: 'Where the province stands against each target: value, gap, status and projection, by district, and what is missing' })
  planCoverage(@Param('id') id: string, @Query(new Input(CoverageQuery)) q: CoverageQuery) {
    return this.coverage.planCoverage(id, q);
  }

  @Get('plans/:id/coverage/export')
  @ApiOperation({ summary: 'The coverage as XLSX (target table, by district, missing list) or CSV, with Vietnamese labels' })
  async exportCoverage(@Param('id') id: string, @Query(new Input(ExportQuery)) q: ExportQuery, @Res() res: Response) {
    const { format = 'xlsx', ...rest } = q;
    send(res, await this.coverage.export(await this.coverage.planCoverage(id, rest), format), format, `coverage-${new Date().toISOString().slice(0, 10)}`);
  }

  @Post('plans/:id/reports')
  @ApiOperation({ summary: 'Compute and freeze a report: its figures never change afterwards' })
  saveReport(@Param('id') id: string, @Body(new Input(SaveReport)) body: SaveReport, @Change() ctx: ChangeContext) {
    return this.coverage.saveReport(id, body, ctx);
  }

  @Get('plans/:id/reports')
  listReports(@Param('id') id: string) {
    return this.coverage.listReports(id).then((items) => ({ items, total: items.length }));
  }

  @Get('reports/:id')
  report(@Param('id') id: string) {
    return this.coverage.report(id);
  }

  @Get('reports/:id/export')
  @ApiQuery({ name: 'format', required: false, enum: ['xlsx', 'csv'] })
  async exportReport(@Param('id') id: string, @Query(new Input(ExportQuery)) q: ExportQuery, @Res() res: Response) {
    const report = await this.coverage.report(id);
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
