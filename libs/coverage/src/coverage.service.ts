import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import { type ChangeContext, csvCell, InventoryErrorCode, likeEscape, type Scope } from '@app/inventory';
import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { CoverageEngine, type EngineTrace, type GroupFigure, measurementOf, percent, totalOf, type Where } from './coverage-engine';
import { CoverageError } from './coverage-error';
import type { CoverageQuery, MissingQuery, OverviewQuery } from './coverage.dto';
import type { Overview, PlanCoverage, ProvinceFigure, Projection, TargetCoverage, TargetStatus } from './coverage.types';
import type { IndicatorDefinition } from './definition';
import { CoverageReport } from './entities/coverage-report.entity';
import { Indicator } from './entities/indicator.entity';
import { ReportedValue } from './entities/reported-value.entity';
import { IndicatorsService, isUuid } from './indicators.service';
import type { Label } from './labels';
import { PlansService } from './plans.service';

/** Years before the target year whose year-end values the trend is fitted to. */
const TREND_YEARS = 3;

const STATUS_VI: Record<TargetStatus, string> = { met: 'Đạt', on_track: 'Đúng tiến độ', behind: 'Chậm', no_data: 'Chưa có số liệu' };

@Injectable()
export class CoverageService {
  /** The day "today" is; tests set it to replay a timeline. */
  clock: () => Date = () => new Date();
  /** Where the time of the last plan's evaluation went (the passes, the dates kept): benchmarks print it. */
  lastTrace: EngineTrace | null = null;
  private readonly log = new Logger('Coverage');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly plans: PlansService,
    private readonly engine: CoverageEngine,
    private readonly indicators: IndicatorsService,
  ) {}

  /**
   * Every target of a plan (or of one year, or of a date's year) against the inventory: for each,
   * numerator, denominator, value, gap, status with its projection, the district breakdown, and
   * the members that do not count yet with the reason.
   */
  async planCoverage(planId: string, q: CoverageQuery, scope: Scope): Promise<PlanCoverage> {
    return (await this.coverageIn(planId, q, scope)).figures;
  }

  /**
   * Many plans at once, for a whole-country caller: each indicator is counted in one pass over the
   * whole country for every date the plans ask, and each plan then reads its province's figures.
   */
  async plansCoverage(planIds: string[], q: CoverageQuery, scope: Scope): Promise<PlanCoverage[]> {
    if (scope.kind === 'country') {
      const today = this.clock().toISOString().slice(0, 10);
      const year = q.year ?? (q.asOf ? Number(q.asOf.slice(0, 4)) : undefined);
      const indicators = new Map((await this.ds.getRepository(Indicator).find()).map((i) => [i.id, i]));
      const all = new Map<string, Set<string>>();
      for (const id of planIds) {
        const plan = await this.plans.get(id, scope);
        for (const [indicator, dates] of datesNeeded(plan.targets.filter((t) => year === undefined || t.year === year), indicators, q, today)) {
          all.set(indicator, new Set([...(all.get(indicator) ?? []), ...dates]));
        }
      }
      const trace: EngineTrace = { passes: [], cached: 0 };
      // The passes run side by side (PostgreSQL runs each on its own connection and core).
      await Promise.all(
        [...all].map(([id, dates]) =>
          this.engine.figures(indicators.get(id)!.definition, { path: '/' }, [...dates], today, trace).catch((err: unknown) => {
            if (!(err instanceof CoverageError)) throw err;
          }),
        ),
      );
      const out: PlanCoverage[] = [];
      for (const id of planIds) {
        out.push(await this.planCoverage(id, q, scope));
        trace.passes.push(...this.lastTrace!.passes);
        trace.cached += this.lastTrace!.cached;
      }
      this.lastTrace = trace;
      return out;
    }
    const out: PlanCoverage[] = [];
    for (const id of planIds) out.push(await this.planCoverage(id, q, scope));
    return out;
  }

  /** The figures, and the path of the unit they were counted over (a saved report keeps it). */
  private async coverageIn(planId: string, q: CoverageQuery, scope: Scope): Promise<{ figures: PlanCoverage; areaPath: string }> {
    const plan = await this.plans.get(planId, scope);
    const province = plan.province;
    // A district's users get their district's figures: the same indicators, counted within it; an
    // agency's, its own and its subordinates' (indicators over units have no figure for them).
    const area = this.areaOf(province, scope);
    const today = this.clock().toISOString().slice(0, 10);
    if (q.year !== undefined && q.asOf !== undefined && Number(q.asOf.slice(0, 4)) !== q.year) {
      throw new CoverageError('year and asOf disagree', [{ field: 'asOf', message: `asOf ${q.asOf} is not in ${q.year}` }]);
    }
    const year = q.year ?? (q.asOf ? Number(q.asOf.slice(0, 4)) : undefined);
    const targets = plan.targets.filter((t) => year === undefined || t.year === year);
    const indicators = new Map((await this.ds.getRepository(Indicator).find()).map((i) => [i.id, i]));
    // Every reported value of the province, in one query.
    const reportedOf = new Map<string, ReportedValue[]>();
    for (const r of await this.ds.getRepository(ReportedValue).find({ where: { administrativeUnitId: province.id }, order: { year: 'ASC' } })) {
      reportedOf.set(r.indicatorId, [...(reportedOf.get(r.indicatorId) ?? []), r]);
    }
    // Every measured indicator counted in one pass over all the dates its targets ask (and the
    // year-ends a trend is fitted to), by district: one query per indicator, not per target.
    const asOfOf = (year: number) => q.asOf ?? targetDate(year, today);
    const datesOf = datesNeeded(targets, indicators, q, today);
    const trace: EngineTrace = { passes: [], cached: 0 };
    const started = performance.now();
    // The passes run side by side (PostgreSQL runs each on its own connection and core).
    const counted = new Map<string, Map<string, GroupFigure[]> | CoverageError>(
      await Promise.all(
        [...datesOf].map(
          async ([id, dates]) =>
            [
              id,
              await this.engine.figures(indicators.get(id)!.definition, { path: area.path, agencyIds: area.agencyIds }, [...dates], today, trace).catch((err: unknown) => {
                if (err instanceof CoverageError) return err;
                throw err;
              }),
            ] as const,
        ),
      ),
    );
    this.log.debug(`plan ${plan.id}: ${trace.passes.length} passes (${trace.passes.map((p) => `${p.dates} dates ${p.ms} ms`).join(', ')}), ${trace.cached} dates kept, ${Math.round(performance.now() - started)} ms`);
    this.lastTrace = trace;

    const out: TargetCoverage[] = [];
    for (const t of targets) {
      const indicator = indicators.get(t.indicatorId)!;
      const yearEnd = `${t.year}-12-31`;
      const asOf = asOfOf(t.year);
      const base: Omit<TargetCoverage, 'numerator' | 'denominator' | 'value' | 'gap' | 'status' | 'projection'> = {
        targetId: t.id,
        indicator: { id: indicator.id, code: indicator.code, labelVi: indicator.labelVi, labelEn: indicator.labelEn, kind: indicator.definition.population.entity === 'reported' ? 'reported' : 'measured' },
        row: t.row,
        wordingVi: t.wordingVi,
        labelEn: t.labelEn,
        year: t.year,
        asOf,
        target: t.value,
        breakdown: [],
        missing: { total: 0, items: [] },
        unmeasured: { total: 0, items: [] },
      };
      if (indicator.definition.population.entity === 'reported') {
        const reported = reportedOf.get(indicator.id) ?? [];
        const current = reported.find((r) => r.year === t.year) ?? null;
        const earlier = reported.filter((r) => r.year < t.year && r.year >= t.year - TREND_YEARS).map((r) => ({ date: `${r.year}-12-31`, value: r.value }));
        const value = current?.value ?? null;
        out.push({
          ...base,
          numerator: null,
          denominator: null,
          value,
          gap: null,
          ...judge(value, t.value, asOf, yearEnd, value === null ? earlier : [...earlier, { date: asOf, value }]),
          reported: current ? { source: current.source, updatedAt: current.updatedAt.toISOString() } : null,
          ...(current
            ? {}
            : {
                explanation: {
                  vi: `Chỉ tiêu do tỉnh báo cáo, chưa nhập số liệu năm ${t.year}: người lập kế hoạch của tỉnh nhập giá trị và nguồn tại PUT /api/v1/indicators/${indicator.code}/reported-values (administrativeUnitId của ${province.name}, year ${t.year}).`,
                  en: `A reported indicator with no value for ${t.year}: a planner of the province enters the value and its source with PUT /api/v1/indicators/${indicator.code}/reported-values (administrativeUnitId of ${province.name}, year ${t.year}).`,
                },
              }),
        });
        continue;
      }
      const figures = counted.get(indicator.id)!;
      if (figures instanceof CoverageError) {
        out.push({ ...base, numerator: null, denominator: null, value: null, gap: null, status: 'no_data', projection: null, note: figures.message });
        continue;
      }
      try {
        const m = measurementOf(figures.get(asOf)!);
        // The members that do not count, when asked for (exports, saved reports); the answer
        // otherwise carries their number only, and GET …/coverage/missing pages through them.
        if ((q.missingLimit ?? 0) > 0) Object.assign(m, await this.engine.members(indicator.definition, this.where(area, asOf, today), { limit: q.missingLimit!, offset: 0 }));
        const earlier: Array<{ date: string; value: number }> = [];
        if (m.value !== null && m.value < t.value && asOf < yearEnd) {
          for (let y = t.year - TREND_YEARS; y < Number(asOf.slice(0, 4)); y++) {
            const { numerator, denominator } = totalOf(figures.get(`${y}-12-31`)!);
            const v = percent(numerator, denominator);
            if (v !== null) earlier.push({ date: `${y}-12-31`, value: v });
          }
        }
        const needed = Math.max(0, Math.ceil((t.value * m.denominator) / 100 - 1e-9) - m.numerator);
        const unit = unitOf(indicator.definition);
        out.push({
          ...base,
          numerator: m.numerator,
          denominator: m.denominator,
          value: m.value,
          gap: m.denominator ? { count: needed, unit, text: gapText(needed, unit, m.missing.total) } : null,
          ...(m.denominator
            ? {}
            : {
                explanation: {
                  vi: `Không có ${unit.vi} nào để đếm ở ${area.name} vào ngày ${asOf}: chỉ tiêu này đếm ${indicator.labelVi.toLocaleLowerCase('vi')}; hãy đăng ký chúng trong danh mục (hoặc kiểm tra ngày đưa vào sử dụng).`,
                  en: `Nothing to count in ${area.name} on ${asOf}: this indicator counts ${unit.en} (${indicator.labelEn}); register them in the inventory (or check their commissioning dates).`,
                },
              }),
          ...judge(m.value, t.value, asOf, yearEnd, m.value === null ? earlier : [...earlier, { date: asOf, value: m.value }]),
          breakdown: m.breakdown,
          missing: m.missing,
          unmeasured: m.unmeasured,
        });
      } catch (err) {
        if (!(err instanceof CoverageError)) throw err;
        out.push({ ...base, numerator: null, denominator: null, value: null, gap: null, status: 'no_data', projection: null, note: err.message });
      }
    }
    const figures: PlanCoverage = {
      plan: {
        id: plan.id,
        titleVi: plan.titleVi,
        titleEn: plan.titleEn,
        documentNumber: plan.documentNumber,
        documentDate: plan.documentDate,
        periodFrom: plan.periodFrom,
        periodTo: plan.periodTo,
        province: { id: province.id, code: province.code, name: province.name },
      },
      area: { id: area.id, name: area.name },
      year: year ?? null,
      asOf: q.asOf ?? null,
      computedAt: this.clock().toISOString(),
      districts: districtsOf(counted),
      targets: out,
    };
    return { figures, areaPath: area.path };
  }

  /**
   * One indicator over every province side by side (a whole-country caller; others, their own
   * area): numerator, denominator, value, each province's own target and status, and the rank.
   * Measured indicators are counted in one pass over the whole country.
   */
  async overview(q: OverviewQuery, scope: Scope): Promise<Overview> {
    if (scope.kind === 'agency') throw new CoverageError('The overview counts provinces: not for an account scoped to one agency', [], InventoryErrorCode.Forbidden);
    if (q.year !== undefined && q.asOf !== undefined && Number(q.asOf.slice(0, 4)) !== q.year) {
      throw new CoverageError('year and asOf disagree', [{ field: 'asOf', message: `asOf ${q.asOf} is not in ${q.year}` }]);
    }
    const started = performance.now();
    const indicator = await this.indicators.get(q.indicator, scope);
    const today = this.clock().toISOString().slice(0, 10);
    const year = q.year ?? (q.asOf ? Number(q.asOf.slice(0, 4)) : Number(today.slice(0, 4)));
    const yearEnd = `${year}-12-31`;
    const asOf = q.asOf ?? targetDate(year, today);
    const trendYears: number[] = [];
    if (asOf < yearEnd) for (let y = year - TREND_YEARS; y < Number(asOf.slice(0, 4)); y++) trendYears.push(y);
    // The rows: every province valid on the date, or the caller's own unit.
    const units: Array<{ id: string; code: string; name: string; path: string }> =
      scope.kind === 'country'
        ? await this.ds.query(
            `SELECT id, code, name, path FROM administrative_unit WHERE level = 'province' AND (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to > $1) ORDER BY code`,
            [asOf],
          )
        : await this.ds.query(`SELECT id, code, name, path FROM administrative_unit WHERE id = $1`, [scope.unitId]);
    const provinceOf = (path: string) => path.split('/')[1];
    // Each province's own target for the indicator and year: its latest plan with one.
    const targets = new Map<string, { planId: string; value: number }>(
      (
        (await this.ds.query(
          `SELECT DISTINCT ON (p.administrative_unit_id) p.administrative_unit_id AS unit, p.id AS plan, t.value::float AS value
           FROM plan_target t JOIN plan p ON p.id = t.plan_id WHERE t.indicator_id = $1 AND t.year = $2 ORDER BY p.administrative_unit_id, p.created_at DESC`,
          [indicator.id, year],
        )) as Array<{ unit: string; plan: string; value: number }>
      ).map((r) => [r.unit, { planId: r.plan, value: Number(r.value) }]),
    );
    const trace: EngineTrace = { passes: [], cached: 0 };
    // Value on the date, and at the trend's year-ends, per row.
    let valueOf: (unit: { id: string; path: string }, date: string) => { numerator: number | null; denominator: number | null; value: number | null };
    if (indicator.definition.population.entity === 'reported') {
      const reported = new Map<string, number>(
        ((await this.ds.query(`SELECT administrative_unit_id AS unit, year, value::float AS value FROM reported_value WHERE indicator_id = $1 AND year BETWEEN $2 AND $3`, [indicator.id, year - TREND_YEARS, year])) as Array<{ unit: string; year: number; value: number }>).map((r) => [
          `${r.unit}|${r.year}`,
          Number(r.value),
        ]),
      );
      valueOf = (unit, date) => ({ numerator: null, denominator: null, value: reported.get(`${provinceOf(unit.path)}|${Number(date.slice(0, 4))}`) ?? null });
    } else {
      const area = scope.kind === 'country' ? '/' : scope.path;
      const figures = await this.engine.figures(indicator.definition, { path: area }, [asOf, ...trendYears.map((y) => `${y}-12-31`)], today, trace);
      const byProvince = new Map<string, Map<string, GroupFigure[]>>();
      for (const [date, groups] of figures) {
        for (const g of groups) {
          const key = scope.kind === 'country' ? (g.provinceId ?? '') : scope.unitId;
          const dates = byProvince.get(key) ?? new Map<string, GroupFigure[]>();
          dates.set(date, [...(dates.get(date) ?? []), g]);
          byProvince.set(key, dates);
        }
      }
      valueOf = (unit, date) => {
        const { numerator, denominator } = totalOf(byProvince.get(unit.id)?.get(date) ?? []);
        return { numerator, denominator, value: percent(numerator, denominator) };
      };
    }
    const provinces: ProvinceFigure[] = units.map((u) => {
      const now = valueOf(u, asOf);
      const target = targets.get(provinceOf(u.path)) ?? null;
      const basis = trendYears.flatMap((y) => {
        const v = valueOf(u, `${y}-12-31`).value;
        return v === null ? [] : [{ date: `${y}-12-31`, value: v }];
      });
      const status = target ? judge(now.value, target.value, asOf, yearEnd, now.value === null ? basis : [...basis, { date: asOf, value: now.value }]).status : null;
      return { id: u.id, code: u.code, name: u.name, ...now, target: target?.value ?? null, planId: target?.planId ?? null, status, rank: null };
    });
    // Ranked by value, highest first; equal values share a rank (1, 2, 2, 4).
    const ranked = provinces.filter((p) => p.value !== null).sort((a, b) => b.value! - a.value!);
    ranked.forEach((p, i) => (p.rank = i > 0 && ranked[i - 1].value === p.value ? ranked[i - 1].rank : i + 1));
    return {
      indicator: { id: indicator.id, code: indicator.code, labelVi: indicator.labelVi, labelEn: indicator.labelEn, kind: indicator.definition.population.entity === 'reported' ? 'reported' : 'measured' },
      year,
      asOf,
      computedAt: this.clock().toISOString(),
      provinces,
      cost: { passes: trace.passes.map(({ dates, ms, rows }) => ({ dates, ms, rows })), cachedDates: trace.cached, ms: Math.round(performance.now() - started) },
    };
  }

  /** The overview as a table: a row per province, as the plans' tables are laid out. */
  async exportOverview(o: Overview, format: 'xlsx' | 'csv'): Promise<Buffer> {
    const header = ['Xếp hạng', 'Mã', 'Tỉnh, thành phố', 'Tử số', 'Mẫu số', 'Thực hiện (%)', 'Kế hoạch (%)', 'Đánh giá'];
    const rows = [...o.provinces].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.code.localeCompare(b.code));
    const cells = (p: ProvinceFigure) => [p.rank, p.code, p.name, p.numerator, p.denominator, p.value, p.target, p.status ? STATUS_VI[p.status] : 'Không có chỉ tiêu'];
    if (format === 'csv') return Buffer.from(`\uFEFF${stringifyCsv([header, ...rows.map((p) => cells(p).map((c) => csvCell(c ?? '')))])}`, 'utf8');
    const book = new ExcelJS.Workbook();
    book.created = new Date(o.computedAt);
    const sheet = book.addWorksheet('Toàn quốc');
    sheet.addRow([o.indicator.labelVi]).font = { bold: true, size: 13 };
    sheet.addRow([`Năm ${o.year}, tính đến ngày ${o.asOf.split('-').reverse().join('/')} — số liệu tính lúc ${o.computedAt.slice(0, 16).replace('T', ' ')} UTC`]);
    sheet.addRow([]);
    const head = sheet.addRow(header);
    head.font = { bold: true };
    head.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    for (const p of rows) {
      const row = sheet.addRow(cells(p).map((c, i) => (c !== null && (i === 5 || i === 6) ? Number(c) / 100 : c)));
      row.getCell(6).numFmt = '0.00%';
      row.getCell(7).numFmt = p.target !== null && !Number.isInteger(p.target) ? '0.00%' : '0%';
    }
    [10, 8, 28, 10, 10, 14, 14, 18].forEach((w, i) => (sheet.getColumn(i + 1).width = w));
    sheet.views = [{ state: 'frozen', ySplit: head.number }];
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  /** A page of a target's members that do not count on its date (or another date of its year). */
  async missing(planId: string, targetId: string, q: MissingQuery, scope: Scope) {
    const plan = await this.plans.get(planId, scope);
    const target = isUuid(targetId) ? plan.targets.find((t) => t.id === targetId) : undefined;
    if (!target) throw new CoverageError(`target ${targetId} does not exist`, [], InventoryErrorCode.NotFound);
    if (q.cursor !== undefined) throw new CoverageError('The request is not valid', [{ field: 'cursor', message: 'this list is paged by offset: give limit and offset' }]);
    if (q.asOf && Number(q.asOf.slice(0, 4)) !== target.year) throw new CoverageError('The date is not in the target\'s year', [{ field: 'asOf', message: `asOf ${q.asOf} is not in ${target.year}` }]);
    const indicator = await this.ds.getRepository(Indicator).findOneByOrFail({ id: target.indicatorId });
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const today = this.clock().toISOString().slice(0, 10);
    const asOf = q.asOf ?? targetDate(target.year, today);
    if (indicator.definition.population.entity === 'reported') return { targetId, asOf, limit, offset, missing: { total: 0, items: [] }, unmeasured: { total: 0, items: [] } };
    const lists = await this.engine.members(indicator.definition, this.where(this.areaOf(plan.province, scope), asOf, today), { limit, offset, q: q.q });
    return { targetId, asOf, limit, offset, ...lists };
  }

  /** Computes and freezes a report: the figures are stored as computed and never recomputed. */
  async saveReport(planId: string, q: CoverageQuery & { title?: string }, ctx: ChangeContext): Promise<CoverageReport> {
    if (ctx.scope.kind === 'agency') throw new CoverageError('Reports are saved for an administrative unit (a province or a district), not for one agency', [], InventoryErrorCode.Forbidden);
    // A frozen report keeps its work lists whole (its export lists every member not counting).
    const { figures, areaPath } = await this.coverageIn(planId, { missingLimit: 100_000, ...q }, ctx.scope);
    return this.ds.getRepository(CoverageReport).save({
      planId: figures.plan.id,
      title: q.title ?? null,
      areaPath,
      createdBy: ctx.actor,
      computedAt: new Date(figures.computedAt),
      figures,
    });
  }

  /** The plan's saved reports whose area lies within the scope. */
  async listReports(planId: string, scope: Scope): Promise<Array<Omit<CoverageReport, 'figures'>>> {
    await this.plans.get(planId, scope);
    const qb = this.ds.getRepository(CoverageReport).createQueryBuilder('r')
      .select(['r.id', 'r.planId', 'r.title', 'r.areaPath', 'r.createdBy', 'r.computedAt', 'r.createdAt'])
      .where('r.plan_id = :planId', { planId })
      .orderBy('r.created_at', 'DESC');
    if (scope.kind === 'agency') return [];
    if (scope.kind !== 'country') qb.andWhere(`r.area_path LIKE :within ESCAPE '\\'`, { within: `${likeEscape(scope.path)}%` });
    return qb.getMany();
  }

  /** A saved report, if its area lies within the scope (a district does not read the province's). */
  async report(id: string, scope: Scope): Promise<CoverageReport> {
    const found = isUuid(id) ? await this.ds.getRepository(CoverageReport).findOne({ where: { id } }) : null;
    // Reports are of units: an agency's token reads none (it would see the whole unit's figures).
    if (!found || scope.kind === 'agency' || (scope.kind !== 'country' && !found.areaPath.startsWith(scope.path))) throw new CoverageError(`report ${id} does not exist`, [], InventoryErrorCode.NotFound);
    return found;
  }

  /** The report in the layout of the plans' target tables: a row per indicator, a column group per year. */
  async export(c: PlanCoverage, format: 'xlsx' | 'csv'): Promise<Buffer> {
    const years = [...new Set(c.targets.map((t) => t.year))].sort((a, b) => a - b);
    const rows = groupByIndicator(c.targets);
    if (format === 'csv') {
      const header = ['STT', 'Chỉ tiêu', 'Mã chỉ tiêu', 'Năm', 'Kế hoạch (%)', 'Thực hiện (%)', 'Tử số', 'Mẫu số', 'Còn thiếu', 'Đánh giá', 'Tính đến ngày'];
      const lines = c.targets.map((t) => [t.row ?? '', t.wordingVi, t.indicator.code, t.year, t.target, t.value ?? '', t.numerator ?? '', t.denominator ?? '', t.gap?.text.vi ?? '', STATUS_VI[t.status], t.asOf]);
      return Buffer.from(`\uFEFF${stringifyCsv([header, ...lines.map((l) => l.map(csvCell))])}`, 'utf8');
    }
    const book = new ExcelJS.Workbook();
    book.created = new Date(c.computedAt);
    const sheet = book.addWorksheet('Chỉ tiêu');
    sheet.addRow([c.plan.titleVi]).font = { bold: true, size: 13 };
    // Headed with what was counted: a district's export is the district's, within its province.
    const where = c.area.id === c.plan.province.id ? c.plan.province.name : `${c.area.name} (${c.plan.province.name})`;
    sheet.addRow([`${where}${c.plan.documentNumber ? ` — ${c.plan.documentNumber}` : ''} — số liệu tính lúc ${c.computedAt.slice(0, 16).replace('T', ' ')} UTC`]);
    sheet.addRow([]);
    const head1 = sheet.addRow(['STT', 'Chỉ tiêu', ...years.flatMap((y) => [String(y), '', ''])]);
    const head2 = sheet.addRow(['', '', ...years.flatMap(() => ['Kế hoạch', 'Thực hiện', 'Đánh giá'])]);
    years.forEach((_, i) => sheet.mergeCells(head1.number, 3 + i * 3, head1.number, 5 + i * 3));
    sheet.mergeCells(head1.number, 1, head2.number, 1);
    sheet.mergeCells(head1.number, 2, head2.number, 2);
    for (const r of [head1, head2]) {
      r.font = { bold: true };
      r.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    }
    for (const [first, ...rest] of rows) {
      const cells: Array<string | number | null> = [first.row ?? '', first.wordingVi];
      for (const y of years) {
        const t = [first, ...rest].find((x) => x.year === y);
        cells.push(t ? t.target / 100 : null, t && t.value !== null ? t.value / 100 : null, t ? STATUS_VI[t.status] : null);
      }
      const row = sheet.addRow(cells);
      row.alignment = { vertical: 'top', wrapText: true };
      // Values keep their two decimals (1.29%, not 1.3%); targets show as the plan writes them.
      years.forEach((y, i) => {
        const t = [first, ...rest].find((x) => x.year === y);
        row.getCell(3 + i * 3).numFmt = t && !Number.isInteger(t.target) ? '0.00%' : '0%';
        row.getCell(4 + i * 3).numFmt = '0.00%';
      });
    }
    sheet.getColumn(1).width = 6;
    sheet.getColumn(2).width = 70;
    years.forEach((_, i) => [11, 11, 14].forEach((w, k) => (sheet.getColumn(3 + i * 3 + k).width = w)));
    sheet.views = [{ state: 'frozen', xSplit: 2, ySplit: head2.number }];

    const districtNames = new Map((c.districts ?? []).map((d) => [d.id, d.name]));
    const detail = book.addWorksheet('Theo huyện');
    detail.addRow(['Chỉ tiêu', 'Năm', 'Huyện', 'Tử số', 'Mẫu số', 'Tỷ lệ']).font = { bold: true };
    for (const t of c.targets) {
      for (const b of t.breakdown) {
        detail.addRow([t.wordingVi, t.year, (b.districtId && districtNames.get(b.districtId)) ?? b.districtName ?? 'Trực thuộc tỉnh', b.numerator, b.denominator, b.value === null ? null : b.value / 100]).getCell(6).numFmt = '0.00%';
      }
    }
    detail.getColumn(1).width = 60;
    detail.getColumn(3).width = 28;

    const missing = book.addWorksheet('Còn thiếu');
    missing.addRow(['Chỉ tiêu', 'Năm', 'Huyện', 'Đơn vị', 'Cơ quan / đơn vị hành chính', 'Lý do']).font = { bold: true };
    for (const t of c.targets) {
      for (const m of t.missing.items) missing.addRow([t.wordingVi, t.year, m.district ?? 'Trực thuộc tỉnh', m.unit, m.name, m.reasons.map((r) => r.vi).join('; ')]);
      // Agencies left out of a staff ratio for want of a staffing figure are work too.
      for (const u of t.unmeasured.items) missing.addRow([t.wordingVi, t.year, null, null, u.name, u.reason.vi]);
      // Never cut silently: a list kept shorter (a saved report keeps the first ones) says so.
      const left = t.missing.total - t.missing.items.length + (t.unmeasured.total - t.unmeasured.items.length);
      if (left > 0) missing.addRow([t.wordingVi, t.year, null, null, `… và ${left} đơn vị khác không liệt kê ở đây`, null]).font = { italic: true };
    }
    missing.getColumn(1).width = 50;
    missing.getColumn(5).width = 45;
    missing.getColumn(6).width = 60;
    return Buffer.from(await book.xlsx.writeBuffer());
  }

  /**
   * What a caller's figures are counted over: a district's users get their district's figures (the
   * same indicators, counted within it); an agency's, its own and its subordinates' (indicators
   * over units have no figure for them); others, the plan's province.
   */
  private areaOf(province: { id: string; name: string; path: string }, scope: Scope): { id: string; name: string; path: string; agencyIds?: readonly string[] } {
    if (scope.kind === 'unit') return { id: scope.unitId, name: scope.name, path: scope.path };
    if (scope.kind === 'agency') return { id: scope.agencyId, name: scope.name, path: province.path, agencyIds: scope.agencyIds };
    return { id: province.id, name: province.name, path: province.path };
  }

  private where(area: { path: string; agencyIds?: readonly string[] }, asOf: string, today: string): Where {
    return { provincePath: area.path, agencyIds: area.agencyIds, asOf, today };
  }
}

/** The date a year's figures are counted on: its last day, or today while the year runs. */
function targetDate(year: number, today: string): string {
  const yearEnd = `${year}-12-31`;
  return yearEnd < today ? yearEnd : today;
}

/**
 * The dates each measured indicator of these targets is counted on: each target's date (its
 * year-end, or today in the current year, or the date asked) and, for a year still running, the
 * year-ends its trend is fitted to.
 */
function datesNeeded(targets: Array<{ indicatorId: string; year: number }>, indicators: Map<string, Indicator>, q: CoverageQuery, today: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of targets) {
    const indicator = indicators.get(t.indicatorId)!;
    if (indicator.definition.population.entity === 'reported') continue;
    const set = out.get(indicator.id) ?? new Set<string>();
    const yearEnd = `${t.year}-12-31`;
    const asOf = q.asOf ?? targetDate(t.year, today);
    set.add(asOf);
    if (asOf < yearEnd) for (let y = t.year - TREND_YEARS; y < Number(asOf.slice(0, 4)); y++) set.add(`${y}-12-31`);
    out.set(indicator.id, set);
  }
  return out;
}

/** The districts named in the figures, once each, by name. */
function districtsOf(counted: Map<string, Map<string, GroupFigure[]> | CoverageError>): Array<{ id: string; name: string }> {
  const names = new Map<string, string>();
  for (const figures of counted.values()) {
    if (figures instanceof CoverageError) continue;
    for (const groups of figures.values()) for (const g of groups) if (g.districtId && g.districtName) names.set(g.districtId, g.districtName);
  }
  return [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
}

/** met when reached; behind when the year is over; otherwise the linear trend decides. */
function judge(value: number | null, target: number, asOf: string, yearEnd: string, basis: Array<{ date: string; value: number }>): { status: TargetStatus; projection: Projection | null } {
  if (value === null) return { status: 'no_data', projection: null };
  if (value >= target) return { status: 'met', projection: null };
  if (asOf >= yearEnd) return { status: 'behind', projection: null };
  const projectedValue = basis.length >= 2 ? Math.min(100, Math.max(0, Math.round(trendAt(basis, yearEnd) * 100) / 100)) : null;
  return { status: projectedValue !== null && projectedValue >= target ? 'on_track' : 'behind', projection: { method: 'linear_trend', basis, projectedValue } };
}

/** Least-squares line through the points (time in days), read at `date`. */
export function trendAt(points: Array<{ date: string; value: number }>, date: string): number {
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  const xs = points.map((p) => day(p.date));
  const n = points.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = points.reduce((s, p) => s + p.value, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const slope = sxx ? xs.reduce((s, x, i) => s + (x - mx) * (points[i].value - my), 0) / sxx : 0;
  return my + slope * (day(date) - mx);
}

function unitOf(def: IndicatorDefinition): Label {
  const p = def.population;
  if (p.entity === 'staff') return { vi: 'CBCC', en: 'staff' };
  if (p.entity === 'administrative_unit') return p.level === 'commune' ? { vi: 'xã', en: 'communes' } : { vi: 'huyện', en: 'districts' };
  if (p.entity === 'device') return { vi: 'thiết bị', en: 'devices' };
  if (p.entity === 'agency' && p.kinds?.length === 1) {
    const one: Record<string, Label> = {
      commune_committee: { vi: 'UBND cấp xã', en: 'communes' },
      district_committee: { vi: 'UBND cấp huyện', en: 'districts' },
      health_station: { vi: 'trạm y tế', en: 'health stations' },
      hospital: { vi: 'bệnh viện', en: 'hospitals' },
    };
    if (one[p.kinds[0]]) return one[p.kinds[0]];
  }
  return { vi: 'cơ quan', en: 'agencies' };
}

/** English nouns of the units counted, one and many. */
const SINGULAR: Record<string, string> = { communes: 'commune', districts: 'district', devices: 'device', 'health stations': 'health station', hospitals: 'hospital', agencies: 'agency', staff: 'staff member' };
const counted = (n: number, plural: string) => `${n} ${n === 1 ? (SINGULAR[plural] ?? plural) : plural}`;

/**
 * How far from the target, in units a planner counts ("12 more communes"). A target reached
 * while some members still do not count says both (a 0% target of a first year is met, and its
 * list of members not counting yet is still the planner's work list).
 */
export function gapText(n: number, unit: Label, notCounting: number): Label {
  if (n > 0) return { vi: `cần thêm ${n} ${unit.vi}`, en: `${counted(n, unit.en)} more`.replace(/^(\d+) (.*) more$/, '$1 more $2') };
  if (notCounting === 0) return { vi: 'đã đủ', en: 'none missing' };
  return { vi: `đạt chỉ tiêu; còn ${notCounting} ${unit.vi} chưa đạt tiêu chí`, en: `target reached; ${counted(notCounting, unit.en)} not counted yet` };
}

function groupByIndicator(targets: TargetCoverage[]): TargetCoverage[][] {
  const groups = new Map<string, TargetCoverage[]>();
  for (const t of targets) {
    const key = `${t.row ?? ''}|${t.indicator.code}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()];
}

export { percent };
