import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AdministrativeUnit, AuditLog, type ChangeContext, describeScope, type FieldProblem, InventoryErrorCode, type Scope } from '@app/inventory';
import { CoverageError } from './coverage-error';
import type { CreatePlan, TargetInput, UpdatePlan } from './coverage.dto';
import { Indicator } from './entities/indicator.entity';
import { PlanTarget } from './entities/plan-target.entity';
import { Plan } from './entities/plan.entity';
import { IndicatorsService, isUuid } from './indicators.service';
import { PRESETS, type PlanPreset } from './presets';
import { provinceWithin } from './province-scope';

@Injectable()
export class PlansService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
    private readonly indicators: IndicatorsService,
  ) {}

  presets(): PlanPreset[] {
    return PRESETS;
  }

  /** The plans of the provinces the scope lies in (every plan for the whole country). */
  list(scope: Scope, administrativeUnitId?: string): Promise<Plan[]> {
    const qb = this.ds.getRepository(Plan).createQueryBuilder('p').orderBy('p.period_from', 'ASC').addOrderBy('p.title_vi', 'ASC');
    if (administrativeUnitId) qb.andWhere('p.administrative_unit_id = :unit', { unit: isUuid(administrativeUnitId) ? administrativeUnitId : null });
    if (scope.kind !== 'country') {
      qb.andWhere(`:scopePath LIKE (SELECT u.path FROM administrative_unit u WHERE u.id = p.administrative_unit_id) || '%'`, { scopePath: scope.path });
    }
    return qb.getMany();
  }

  /** A plan is read by everyone in its province; one of another province does not exist for them. */
  async get(id: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<Plan & { province: AdministrativeUnit; targets: Array<PlanTarget & { indicatorCode: string }> }> {
    const plan = isUuid(id) ? await m.findOne(Plan, { where: { id } }) : null;
    const province = plan ? await m.findOne(AdministrativeUnit, { where: { id: plan.administrativeUnitId } }) : null;
    if (!plan || !province || (scope.kind !== 'country' && !scope.path.startsWith(province.path))) {
      throw new CoverageError(`plan ${id} does not exist`, [], InventoryErrorCode.NotFound);
    }
    const targets = await m.find(PlanTarget, { where: { planId: plan.id }, relations: { indicator: true } });
    return Object.assign(plan, {
      province,
      targets: targets
        .map(({ indicator, ...t }) => Object.assign(t as PlanTarget, { indicatorCode: indicator!.code }))
        .sort((a, b) => (a.row ?? '').localeCompare(b.row ?? '', 'en', { numeric: true }) || a.indicatorCode.localeCompare(b.indicatorCode) || a.year - b.year),
    });
  }

  async create(input: CreatePlan, ctx: ChangeContext, preset: string | null = null) {
    // Targets refer to the catalogue by code: make sure it is there, even before the app's bootstrap.
    await this.indicators.ensureCatalogue();
    return this.ds.transaction(async (m) => {
      const province = await this.check(m, input, ctx.scope);
      const { targets = [], ...fields } = input;
      const plan = await m.save(Plan, m.create(Plan, { ...fields, preset }));
      await this.replaceTargets(m, plan, targets);
      const after = await this.get(plan.id, ctx.scope, m);
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'plan', entityId: plan.id, after: planRecord(after), place: province?.path }]);
      return after;
    });
  }

  update(id: string, input: UpdatePlan, ctx: ChangeContext) {
    return this.ds.transaction(async (m) => {
      const before = await this.getWritable(id, ctx.scope, m);
      const { targets, ...fields } = input;
      const current: TargetInput[] = before.targets.map(targetRecord);
      await this.check(m, { ...before, ...fields, targets: targets ?? current }, ctx.scope);
      await m.update(Plan, { id: before.id }, fields);
      if (targets) await this.replaceTargets(m, before, targets);
      const after = await this.get(before.id, ctx.scope, m);
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'plan', entityId: before.id, before: planRecord(before), after: planRecord(after), place: after.province.path }]);
      return after;
    });
  }

  async remove(id: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.getWritable(id, ctx.scope, m);
      // Saved reports are frozen records of the plan's figures; they are never changed, so the
      // plan they name stays while they exist.
      const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM coverage_report WHERE plan_id = $1`, [before.id])) as Array<{ n: number }>;
      if (n > 0) throw new CoverageError(`The plan has ${n} saved report(s), which are kept unchanged; it cannot be deleted`, [{ field: 'id', message: `${n} saved report(s) refer to this plan` }], InventoryErrorCode.InUse);
      await m.delete(Plan, { id: before.id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'plan', entityId: before.id, before: planRecord(before), place: before.province.path }]);
    });
  }

  /** Creates a plan from a preset, for its province (found by GSO code) or the one given. */
  async loadPreset(code: string, ctx: ChangeContext, administrativeUnitId?: string) {
    const preset = PRESETS.find((p) => p.code === code);
    if (!preset) throw new CoverageError(`preset ${code} does not exist`, [{ field: 'code', message: `one of ${PRESETS.map((p) => p.code).join(', ')}` }], InventoryErrorCode.NotFound);
    let unitId = administrativeUnitId;
    if (!unitId) {
      const unit = await this.ds.getRepository(AdministrativeUnit).findOne({ where: { code: preset.provinceCode, level: 'province' } });
      if (!unit) {
        throw new CoverageError(`${preset.provinceName} (GSO ${preset.provinceCode}) is not in the administrative units`, [
          { field: 'administrativeUnitId', message: 'import the official list first, or name the province to load the plan for' },
        ], InventoryErrorCode.UnknownReference);
      }
      unitId = unit.id;
    }
    const { code: _c, provinceCode: _p, provinceName: _n, source: _s, targets, ...plan } = preset;
    return this.create(
      {
        ...plan,
        administrativeUnitId: unitId,
        targets: targets.flatMap((t) => Object.entries(t.values).map(([year, value]) => ({ indicator: t.indicator, year: Number(year), value, row: t.row, wordingVi: t.wordingVi, labelEn: t.labelEn }))),
      },
      ctx,
      preset.code,
    );
  }

  /** A plan is changed only by a scope that holds its whole province (or the country). */
  private async getWritable(id: string, scope: Scope, m: EntityManager) {
    const plan = await this.get(id, scope, m);
    if (!provinceWithin(plan.province, scope)) throw planOutsideScope(scope);
    return plan;
  }

  private async check(m: EntityManager, p: CreatePlan, scope: Scope): Promise<AdministrativeUnit | null> {
    const problems: FieldProblem[] = [];
    const unit = await m.findOne(AdministrativeUnit, { where: { id: p.administrativeUnitId } });
    if (!unit) problems.push({ field: 'administrativeUnitId', message: 'no such administrative unit', value: p.administrativeUnitId });
    else if (unit.level !== 'province') problems.push({ field: 'administrativeUnitId', message: `a plan belongs to a province; ${unit.name} is a ${unit.level}` });
    else if (!provinceWithin(unit, scope)) throw planOutsideScope(scope, [{ field: 'administrativeUnitId', message: `${unit.name} is outside your scope (${describeScope(scope)})` }]);
    if (p.periodTo < p.periodFrom) problems.push({ field: 'periodTo', message: `periodTo (${p.periodTo}) is before periodFrom (${p.periodFrom})` });
    const targets = p.targets ?? [];
    const codes = [...new Set(targets.map((t) => t.indicator))];
    const indicators = new Map((codes.length ? await m.createQueryBuilder(Indicator, 'i').where('i.code = ANY(:codes)', { codes }).getMany() : []).map((i) => [i.code, i]));
    // A province's own indicator serves only that province's plans (and does not exist for the others).
    const known = new Set([...indicators.values()].filter((i) => !i.administrativeUnitId || i.administrativeUnitId === p.administrativeUnitId).map((i) => i.code));
    const seen = new Set<string>();
    targets.forEach((t, i) => {
      if (!known.has(t.indicator)) problems.push({ field: `targets[${i}].indicator`, message: `no indicator with code ${t.indicator}`, value: t.indicator });
      if (t.year < p.periodFrom || t.year > p.periodTo) problems.push({ field: `targets[${i}].year`, message: `${t.year} is outside the plan's period ${p.periodFrom}–${p.periodTo}`, value: t.year });
      const key = `${t.indicator}/${t.year}`;
      if (seen.has(key)) problems.push({ field: `targets[${i}]`, message: `a second target for ${t.indicator} in ${t.year}` });
      seen.add(key);
    });
    if (problems.length) {
      const unknown = problems.every((x) => x.message.startsWith('no such') || x.message.startsWith('no indicator'));
      throw new CoverageError('The plan is not valid', problems, unknown ? InventoryErrorCode.UnknownReference : InventoryErrorCode.Invalid);
    }
    return unit;
  }

  private async replaceTargets(m: EntityManager, plan: Plan, targets: TargetInput[]): Promise<void> {
    await m.delete(PlanTarget, { planId: plan.id });
    if (!targets.length) return;
    const indicators = new Map((await m.createQueryBuilder(Indicator, 'i').where('i.code = ANY(:codes)', { codes: [...new Set(targets.map((t) => t.indicator))] }).getMany()).map((i) => [i.code, i]));
    await m.insert(
      PlanTarget,
      targets.map((t) => {
        const indicator = indicators.get(t.indicator)!;
        return { planId: plan.id, indicatorId: indicator.id, year: t.year, value: t.value, row: t.row ?? null, wordingVi: t.wordingVi, labelEn: t.labelEn ?? indicator.labelEn };
      }),
    );
  }
}

function planOutsideScope(scope: Scope, problems: FieldProblem[] = []): CoverageError {
  return new CoverageError(`A province's plan is managed with a token for the whole province; yours covers ${describeScope(scope)}`, problems, InventoryErrorCode.Forbidden);
}

function planRecord({ province: _p, ...plan }: Plan & { province: AdministrativeUnit; targets: Array<PlanTarget & { indicatorCode: string }> }) {
  return { ...plan, targets: plan.targets.map(targetRecord) };
}

function targetRecord(t: PlanTarget & { indicatorCode: string }): TargetInput {
  return { indicator: t.indicatorCode, year: t.year, value: t.value, row: t.row, wordingVi: t.wordingVi, labelEn: t.labelEn };
}
