import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AdministrativeUnit, AuditLog, canonicalJson, type ChangeContext, describeScope, EVERYWHERE, InventoryErrorCode, type Scope } from '@app/inventory';
import { CATALOGUE } from './catalogue';
import { CoverageError } from './coverage-error';
import type { CreateIndicator, ReportValue, UpdateIndicator } from './coverage.dto';
import { parseDefinition } from './definition';
import { Indicator } from './entities/indicator.entity';
import { PlanTarget } from './entities/plan-target.entity';
import { ReportedValue } from './entities/reported-value.entity';
import { provinceWithin } from './province-scope';

const SYSTEM: ChangeContext = { actor: 'system', source: 'seed', scope: EVERYWHERE };

@Injectable()
export class IndicatorsService implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  private catalogue?: Promise<void>;

  async onApplicationBootstrap(): Promise<void> {
    // A process that starts before the schema exists (`cli migrate` on an empty database, or the
    // API with MIGRATE_ON_START=false) leaves the catalogue to the first use, which loads it.
    if (await this.ds.showMigrations()) return;
    await this.ensureCatalogue();
  }

  /** Keeps the built-in catalogue in the database as the code declares it (once per process). */
  ensureCatalogue(): Promise<void> {
    this.catalogue ??= this.syncCatalogue().catch((err: unknown) => {
      this.catalogue = undefined;
      throw err;
    });
    return this.catalogue;
  }

  private async syncCatalogue(): Promise<void> {
    await this.ds.transaction(async (m) => {
      const existing = new Map((await m.find(Indicator, { where: { builtin: true } })).map((i) => [i.code, i]));
      for (const c of CATALOGUE) {
        const before = existing.get(c.code);
        // jsonb gives keys back in its own order: compare canonically, or every start rewrites (and audits) the whole catalogue.
        if (before && canonicalJson(before.definition) === canonicalJson(c.definition) && before.labelVi === c.labelVi && before.labelEn === c.labelEn) continue;
        const after = await m.save(Indicator, { ...(before ?? {}), ...c, builtin: true });
        await this.audit.record(m, SYSTEM, [{ action: before ? 'update' : 'create', entityType: 'indicator', entityId: after.id, before: before ?? null, after }]);
      }
    });
  }

  /** The indicators for every province, and those of the province the scope lies in (all of them, for the whole country). */
  list(scope: Scope): Promise<Indicator[]> {
    return visible(this.ds.getRepository(Indicator).createQueryBuilder('i'), scope).orderBy('i.builtin', 'DESC').addOrderBy('i.code', 'ASC').getMany();
  }

  /** One indicator, by id or code; another province's does not exist for the caller. */
  async get(idOrCode: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<Indicator> {
    const qb = m.getRepository(Indicator).createQueryBuilder('i').where(isUuid(idOrCode) ? 'i.id = :key' : 'i.code = :key', { key: idOrCode });
    const found = await visible(qb, scope).getOne();
    if (!found) throw new CoverageError(`indicator ${idOrCode} does not exist`, [], InventoryErrorCode.NotFound);
    return found;
  }

  async create(input: CreateIndicator, ctx: ChangeContext): Promise<Indicator> {
    const definition = this.checkDefinition(input.definition);
    return this.ds.transaction(async (m) => {
      const owner = await this.ownerFor(input.administrativeUnitId, ctx.scope, m);
      if (await m.exists(Indicator, { where: { code: input.code } })) {
        throw new CoverageError('Duplicate indicator code', [{ field: 'code', message: `an indicator with code ${input.code} exists`, value: input.code }], InventoryErrorCode.Conflict);
      }
      const saved = await m.save(Indicator, { ...input, definition, builtin: false, administrativeUnitId: owner?.id ?? null });
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'indicator', entityId: saved.id, after: saved, place: owner?.path ?? null }]);
      return saved;
    });
  }

  async update(id: string, input: UpdateIndicator, ctx: ChangeContext): Promise<Indicator> {
    return this.ds.transaction(async (m) => {
      const before = await this.get(id, ctx.scope, m);
      if (before.builtin) throw builtinError(before);
      await this.checkWritable(before, ctx.scope, m);
      const definition = input.definition === undefined ? before.definition : this.checkDefinition(input.definition);
      if (input.code && input.code !== before.code && (await m.exists(Indicator, { where: { code: input.code } }))) {
        throw new CoverageError('Duplicate indicator code', [{ field: 'code', message: `an indicator with code ${input.code} exists` }], InventoryErrorCode.Conflict);
      }
      const after = await m.save(Indicator, { ...before, ...input, definition });
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'indicator', entityId: after.id, before, after, place: await this.placeOf(after, m) }]);
      return after;
    });
  }

  async remove(id: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.get(id, ctx.scope, m);
      if (before.builtin) throw builtinError(before);
      await this.checkWritable(before, ctx.scope, m);
      const used = await m.count(PlanTarget, { where: { indicatorId: before.id } });
      if (used) throw new CoverageError(`This indicator is still in use`, [{ field: 'id', message: `${used} plan target(s) use it` }], InventoryErrorCode.InUse);
      await m.delete(Indicator, { id: before.id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'indicator', entityId: before.id, before, place: await this.placeOf(before, m) }]);
    });
  }

  /** A planner's figure for a reported indicator, for a province and year; a second entry replaces the first. */
  async report(idOrCode: string, input: ReportValue, ctx: ChangeContext): Promise<ReportedValue> {
    return this.ds.transaction(async (m) => {
      const indicator = await this.get(idOrCode, ctx.scope, m);
      if (indicator.definition.population.entity !== 'reported') {
        throw new CoverageError('This indicator is measured from the inventory', [{ field: 'indicator', message: `${indicator.code} is computed, not reported` }]);
      }
      const unit = await m.findOne(AdministrativeUnit, { where: { id: input.administrativeUnitId } });
      if (!unit) throw new CoverageError('Unknown province', [{ field: 'administrativeUnitId', message: 'no such administrative unit', value: input.administrativeUnitId }], InventoryErrorCode.UnknownReference);
      if (unit.level !== 'province') throw new CoverageError('Reported values are per province', [{ field: 'administrativeUnitId', message: `${unit.name} is a ${unit.level}` }]);
      if (!provinceWithin(unit, ctx.scope)) {
        throw new CoverageError(`A province's reported values are entered with a token for the whole province`, [{ field: 'administrativeUnitId', message: `${unit.name} is outside your scope (${describeScope(ctx.scope)})` }], InventoryErrorCode.Forbidden);
      }
      const before = await m.findOne(ReportedValue, { where: { indicatorId: indicator.id, administrativeUnitId: unit.id, year: input.year } });
      const after = await m.save(ReportedValue, { ...(before ?? {}), ...input, indicatorId: indicator.id });
      await this.audit.record(m, ctx, [{ action: before ? 'update' : 'create', entityType: 'reported_value', entityId: after.id, before, after, place: unit.path }]);
      return after;
    });
  }

  /** The values of the provinces the scope lies in. */
  async reportedValues(idOrCode: string, scope: Scope): Promise<ReportedValue[]> {
    const indicator = await this.get(idOrCode, scope);
    const qb = this.ds.getRepository(ReportedValue).createQueryBuilder('v').where('v.indicator_id = :id', { id: indicator.id }).orderBy('v.year', 'ASC');
    if (scope.kind !== 'country') qb.andWhere(`:scopePath LIKE (SELECT u.path FROM administrative_unit u WHERE u.id = v.administrative_unit_id) || '%'`, { scopePath: scope.path });
    return qb.getMany();
  }

  /**
   * The province a new indicator is declared for: the one named, or the caller's; none (every
   * province) only with a whole-country token. Declaring for a province needs its whole scope.
   */
  private async ownerFor(unitId: string | undefined, scope: Scope, m: EntityManager): Promise<AdministrativeUnit | null> {
    if (!unitId && scope.kind === 'country') return null;
    // A path is "/<province id>/…": the caller's province is its first segment.
    const id = unitId ?? (scope.kind === 'country' ? undefined : scope.path.split('/')[1]);
    const unit = id ? await m.findOne(AdministrativeUnit, { where: { id } }) : null;
    if (!unit) throw new CoverageError('Unknown province', [{ field: 'administrativeUnitId', message: `no administrative unit ${unitId}` }], InventoryErrorCode.UnknownReference);
    if (unit.level !== 'province') throw new CoverageError('An indicator is declared for a province', [{ field: 'administrativeUnitId', message: `${unit.name} is a ${unit.level}` }]);
    if (!provinceWithin(unit, scope)) {
      throw new CoverageError(`Indicators are declared for a province with a token for the whole province; yours covers ${describeScope(scope)}`, [{ field: 'administrativeUnitId', message: `${unit.name} is outside your scope` }], InventoryErrorCode.Forbidden);
    }
    return unit;
  }

  /** An indicator for every province is changed with a whole-country token; a province's, with one for that province. */
  private async checkWritable(indicator: Indicator, scope: Scope, m: EntityManager): Promise<void> {
    const owner = indicator.administrativeUnitId ? await m.findOne(AdministrativeUnit, { where: { id: indicator.administrativeUnitId } }) : null;
    if (owner ? provinceWithin(owner, scope) : scope.kind === 'country') return;
    const whose = owner ? owner.name : 'every province';
    throw new CoverageError(`This indicator is for ${whose}; changing it needs a token for ${owner ? 'that whole province' : 'the whole country'} (yours covers ${describeScope(scope)})`, [], InventoryErrorCode.Forbidden);
  }

  private async placeOf(indicator: Indicator, m: EntityManager): Promise<string | null> {
    if (!indicator.administrativeUnitId) return null;
    return (await m.findOne(AdministrativeUnit, { where: { id: indicator.administrativeUnitId } }))?.path ?? null;
  }

  private checkDefinition(raw: unknown) {
    const { value, problems } = parseDefinition(raw);
    if (!value) throw new CoverageError('The indicator definition is not valid', problems);
    return value;
  }
}

/** Narrows to the indicators for every province and those of the provinces the scope lies in. */
function visible(qb: SelectQueryBuilder<Indicator>, scope: Scope): SelectQueryBuilder<Indicator> {
  if (scope.kind === 'country') return qb;
  return qb.andWhere(`(i.administrative_unit_id IS NULL OR :scopePath LIKE (SELECT u.path FROM administrative_unit u WHERE u.id = i.administrative_unit_id) || '%')`, { scopePath: scope.path });
}

function builtinError(i: Indicator): CoverageError {
  return new CoverageError('Built-in indicators cannot be changed', [{ field: 'id', message: `${i.code} is part of the built-in catalogue; create your own indicator instead` }], InventoryErrorCode.Conflict);
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

