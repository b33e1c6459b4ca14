import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, type SelectQueryBuilder } from 'typeorm';
import { AdministrativeUnit } from '../administrative-units/administrative-unit.entity';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import type { Scope } from '../access/access';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import { fold, likeEscape } from '../shared/fold';
import { anyOf, type Candidate, InventoryResource, newId } from '../shared/inventory-resource';
import { type FieldProblem, InventoryError } from '../shared/inventory-error';
import { AgencyStaffing } from './agency-staffing.entity';
import { Agency } from './agency.entity';
import type { AgencyQuery, CreateAgency, StaffingFigures, UpdateAgency } from './agency.dto';

@Injectable()
export class AgenciesService extends InventoryResource<Agency, CreateAgency, UpdateAgency> {
  readonly type = 'agency';
  protected readonly entity = Agency;
  protected readonly alias = 'a';
  protected readonly place = 'agency' as const;
  protected readonly sortable = {
    fields: { name: '"a"."name"', code: '"a"."code"', kind: '"a"."kind"', createdAt: '"a"."created_at"' },
    default: 'name',
  };

  constructor(
    @InjectDataSource() ds: DataSource,
    audit: AuditLog,
    private readonly units: AdministrativeUnitsService,
  ) {
    super(ds, audit);
  }

  protected async filtered(query: AgencyQuery): Promise<SelectQueryBuilder<Agency>> {
    const qb = this.repo().createQueryBuilder('a');
    if (query.kind?.length) qb.andWhere('a.kind IN (:...kind)', { kind: query.kind });
    if (query.sector?.length) qb.andWhere('a.sector IN (:...sector)', { sector: query.sector });
    if (query.parentId) qb.andWhere('a.parent_id = :parentId', { parentId: query.parentId });
    if (query.code) qb.andWhere('a.code = :code', { code: query.code });
    if (query.validOn) qb.andWhere('(a.valid_from IS NULL OR a.valid_from <= :validOn) AND (a.valid_to IS NULL OR a.valid_to > :validOn)', { validOn: query.validOn });
    if (query.administrativeUnit) {
      const path = await this.units.subtreePath(query.administrativeUnit, 'administrativeUnit');
      qb.andWhere(`a.administrative_unit_id IN (SELECT au.id FROM administrative_unit au WHERE au.path LIKE :unitPath ESCAPE '\\')`, {
        unitPath: `${likeEscape(path)}%`,
      });
    }
    if (query.q) {
      qb.andWhere(`hatang_fold(a.name || ' ' || coalesce(a.code, '')) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(fold(query.q))}%` });
    }
    return qb;
  }

  async getWithStaffing(id: string, scope: Scope): Promise<Agency> {
    const agency = await this.get(id, scope);
    agency.staffing = await this.ds.getRepository(AgencyStaffing).find({ where: { agencyId: id }, order: { year: 'ASC' } });
    return agency;
  }

  protected override build(input: CreateAgency): Agency {
    return { code: null, sector: 'general', parentId: null, address: null, ...input, id: newId(input) } as Agency;
  }

  protected async check(candidates: Candidate<Agency>[], m: EntityManager): Promise<Map<number, FieldProblem[]>> {
    const out = new Map<number, FieldProblem[]>();
    const unitIds = [...new Set(candidates.map((c) => c.after.administrativeUnitId))];
    const units = new Set((await m.getRepository(AdministrativeUnit).findBy({ id: anyOf(unitIds) })).map((u) => u.id));
    const parentIds = [...new Set(candidates.map((c) => c.after.parentId).filter((x): x is string => !!x))];
    const parents = new Set((await m.getRepository(Agency).findBy({ id: anyOf(parentIds) })).map((a) => a.id));
    const batchIds = new Set(candidates.map((c) => c.after.id));
    const codes = candidates.map((c) => c.after.code).filter((x): x is string => !!x);
    const codeOwner = new Map((await m.getRepository(Agency).findBy({ code: anyOf(codes), validTo: IsNull() })).map((a) => [a.code!, a.id]));
    const codeInBatch = new Map<string, number>();
    for (const c of candidates) {
      const a = c.after;
      const p: FieldProblem[] = [];
      if (!units.has(a.administrativeUnitId)) {
        p.push({ field: 'administrativeUnitId', message: `no administrative unit ${a.administrativeUnitId}`, value: a.administrativeUnitId });
      }
      if (a.parentId && !parents.has(a.parentId) && !batchIds.has(a.parentId)) {
        p.push({ field: 'parentId', message: `no agency ${a.parentId}`, value: a.parentId });
      }
      if (a.parentId === a.id) p.push({ field: 'parentId', message: 'an agency cannot report to itself' });
      if (a.code) {
        const owner = codeOwner.get(a.code);
        if (owner && owner !== a.id) p.push({ field: 'code', message: `another agency already has code ${a.code}`, value: a.code });
        const twin = codeInBatch.get(a.code);
        if (twin !== undefined) p.push({ field: 'code', message: `code ${a.code} also appears at [${twin}]`, value: a.code });
        codeInBatch.set(a.code, c.index);
      }
      if (p.length) out.set(c.index, p);
    }
    return out;
  }

  protected override async blockersOfDelete(ids: string[], m: EntityManager): Promise<Map<string, string>> {
    const rows: Array<{ id: string; equipment: number; children: number; history: number }> = await m.query(
      `SELECT a.id,
              ((SELECT count(*) FROM device d WHERE d.agency_id = a.id) + (SELECT count(*) FROM wan_link w WHERE w.agency_id = a.id)
                + (SELECT count(*) FROM lan l WHERE l.agency_id = a.id))::int AS equipment,
              (SELECT count(*) FROM agency c WHERE c.parent_id = a.id)::int AS children,
              -- Equipment that was here before it moved: the agency is part of its history.
              ((SELECT count(*) FROM device d WHERE d.previous_agency_id = a.id) + (SELECT count(*) FROM wan_link w WHERE w.previous_agency_id = a.id)
                + (SELECT count(*) FROM lan l WHERE l.previous_agency_id = a.id) + (SELECT count(*) FROM equipment_placement p WHERE p.agency_id = a.id))::int AS history
         FROM agency a WHERE a.id = ANY($1)`,
      [ids],
    );
    const out = new Map<string, string>();
    for (const r of rows) {
      if (r.equipment || r.children) out.set(r.id, `still has ${r.equipment} pieces of equipment and ${r.children} subordinate agencies`);
      else if (r.history) out.set(r.id, `${r.history} pieces of equipment were here before they moved: the agency is part of their history`);
    }
    return out;
  }

  async staffing(agencyId: string, scope: Scope): Promise<AgencyStaffing[]> {
    await this.get(agencyId, scope);
    return this.ds.getRepository(AgencyStaffing).find({ where: { agencyId }, order: { year: 'ASC' } });
  }

  /** Sets the head count of one year, creating or replacing it. */
  async setStaffing(agencyId: string, year: number, figures: StaffingFigures, ctx: ChangeContext): Promise<AgencyStaffing> {
    checkYear(year);
    return this.ds.transaction(async (m) => {
      const { path: place } = await this.writablePlace(agencyId, ctx.scope, m);
      const repo = m.getRepository(AgencyStaffing);
      const before = await repo.findOneBy({ agencyId, year });
      const after = { agencyId, year, civilServants: figures.civilServants, publicEmployees: figures.publicEmployees };
      await repo.upsert(after, ['agencyId', 'year']);
      await this.audit.record(m, ctx, [
        { action: before ? 'update' : 'create', entityType: 'agency_staffing', entityId: `${agencyId}/${year}`, before, after, place },
      ]);
      return after as AgencyStaffing;
    });
  }

  async removeStaffing(agencyId: string, year: number, ctx: ChangeContext): Promise<void> {
    checkYear(year);
    await this.ds.transaction(async (m) => {
      const { path: place } = await this.writablePlace(agencyId, ctx.scope, m);
      const repo = m.getRepository(AgencyStaffing);
      const before = await repo.findOneBy({ agencyId, year });
      if (!before) throw InventoryError.notFound('staffing figure', `${agencyId}/${year}`);
      await repo.delete({ agencyId, year });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'agency_staffing', entityId: `${agencyId}/${year}`, before, after: null, place }]);
    });
  }
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1990 || year > 2100) {
    throw InventoryError.invalid('Invalid year', [{ field: 'year', message: 'year must be a whole number from 1990 to 2100', value: year }]);
  }
}
