import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import { AuditLog } from '../audit/audit-log.service';
import { fold, likeEscape } from '../shared/fold';
import { type Candidate, InventoryResource, newId } from '../shared/inventory-resource';
import type { FieldProblem } from '../shared/inventory-error';
import { EQUIPMENT_SORTS, whereAgencyWithin, whereEquipment } from '../shared/query-filters';
import { addProblem, EQUIPMENT_DEFAULTS, equipmentProblems, moveProblems, placementsOf, recordMoves, takeMove } from './equipment-checks';
import type { Scope } from '../access/access';
import { Lan } from './lan.entity';
import type { CreateLan, LanQuery, UpdateLan } from './lan.dto';

@Injectable()
export class LansService extends InventoryResource<Lan, CreateLan, UpdateLan> {
  readonly type = 'lan';
  protected readonly entity = Lan;
  protected readonly alias = 'l';
  protected readonly place = 'agency-owned' as const;
  protected readonly sortable = {
    fields: { ...EQUIPMENT_SORTS('l'), name: '"l"."name"', completedOn: '"l"."completed_on"' },
    default: 'createdAt',
  };

  constructor(
    @InjectDataSource() ds: DataSource,
    audit: AuditLog,
    private readonly units: AdministrativeUnitsService,
  ) {
    super(ds, audit);
  }

  protected async filtered(q: LanQuery): Promise<SelectQueryBuilder<Lan>> {
    const qb = this.repo().createQueryBuilder('l');
    whereEquipment(qb, 'l', q);
    if (q.administrativeUnit) whereAgencyWithin(qb, 'l', await this.units.subtreePath(q.administrativeUnit, 'administrativeUnit'));
    if (q.complete === true) qb.andWhere('l.departments_joined = l.departments_total');
    if (q.complete === false) qb.andWhere('l.departments_joined < l.departments_total');
    if (q.q) qb.andWhere(`hatang_fold(l.name) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(fold(q.q))}%` });
    return qb;
  }

  protected override build(input: CreateLan): Lan {
    return { ...EQUIPMENT_DEFAULTS, completedOn: null, ...input, id: newId(input) } as Lan;
  }

  protected override afterWrite(candidates: Candidate<Lan>[], m: EntityManager): Promise<void> {
    return recordMoves('lan', candidates, m);
  }

  /** Where the LAN has been, oldest first, its current agency last. */
  async placements(id: string, scope: Scope) {
    return placementsOf('lan', await this.get(id, scope), this.ds.manager);
  }

  protected override merge(before: Lan, patch: UpdateLan): Lan {
    const after = takeMove(before, super.merge(before, patch));
    // A LAN that stops joining every department is no longer complete.
    if (after.departmentsJoined < after.departmentsTotal && patch.completedOn === undefined) after.completedOn = null;
    return after;
  }

  protected async check(candidates: Candidate<Lan>[], m: EntityManager): Promise<Map<number, FieldProblem[]>> {
    const out = await equipmentProblems(candidates, m);
    moveProblems(candidates, out);
    for (const c of candidates) {
      const l = c.after;
      const complete = l.departmentsJoined === l.departmentsTotal;
      if (l.departmentsJoined > l.departmentsTotal) {
        addProblem(out, c.index, { field: 'departmentsJoined', message: `joins ${l.departmentsJoined} departments but the office has ${l.departmentsTotal}` });
      } else if (!complete && l.completedOn) {
        addProblem(out, c.index, { field: 'completedOn', message: 'only a LAN joining every department has a completion date' });
      } else if (complete && !l.completedOn) {
        // Complete without a date: complete since it was commissioned (or since this change).
        l.completedOn = c.before && c.before.departmentsJoined < c.before.departmentsTotal ? today() : l.commissionedOn;
      }
      if (l.completedOn && l.commissionedOn && l.completedOn < l.commissionedOn) {
        addProblem(out, c.index, { field: 'completedOn', message: `completedOn (${l.completedOn}) is before commissionedOn (${l.commissionedOn})` });
      }
    }
    return out;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
