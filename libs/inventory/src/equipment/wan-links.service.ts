import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import { AuditLog } from '../audit/audit-log.service';
import { fold, likeEscape } from '../shared/fold';
import { anyOf, type Candidate, InventoryResource, newId, notAnyOf } from '../shared/inventory-resource';
import type { FieldProblem } from '../shared/inventory-error';
import { EQUIPMENT_SORTS, whereAgencyWithin, whereEquipment } from '../shared/query-filters';
import { Device } from './device.entity';
import { addProblem, EQUIPMENT_DEFAULTS, equipmentProblems, moveProblems, placementsOf, recordMoves, takeMove } from './equipment-checks';
import type { Scope } from '../access/access';
import { WanLink } from './wan-link.entity';
import type { CreateWanLink, UpdateWanLink, WanLinkQuery } from './wan-link.dto';

@Injectable()
export class WanLinksService extends InventoryResource<WanLink, CreateWanLink, UpdateWanLink> {
  readonly type = 'wan_link';
  protected readonly entity = WanLink;
  protected readonly alias = 'w';
  protected readonly place = 'agency-owned' as const;
  protected readonly sortable = {
    fields: { ...EQUIPMENT_SORTS('w'), network: '"w"."network"', bandwidthMbps: '"w"."bandwidth_mbps"', provider: '"w"."provider"' },
    default: 'createdAt',
  };

  constructor(
    @InjectDataSource() ds: DataSource,
    audit: AuditLog,
    private readonly units: AdministrativeUnitsService,
  ) {
    super(ds, audit);
  }

  protected async filtered(q: WanLinkQuery): Promise<SelectQueryBuilder<WanLink>> {
    const qb = this.repo().createQueryBuilder('w');
    whereEquipment(qb, 'w', q);
    if (q.administrativeUnit) whereAgencyWithin(qb, 'w', await this.units.subtreePath(q.administrativeUnit, 'administrativeUnit'));
    if (q.network?.length) qb.andWhere('w.network IN (:...network)', { network: q.network });
    if (q.medium?.length) qb.andWhere('w.medium IN (:...medium)', { medium: q.medium });
    if (q.provider) qb.andWhere('hatang_fold(w.provider) = hatang_fold(:provider)', { provider: q.provider });
    if (q.deviceId) qb.andWhere('w.device_id = :deviceId', { deviceId: q.deviceId });
    if (q.minBandwidthMbps !== undefined) qb.andWhere('w.bandwidth_mbps >= :minBw', { minBw: q.minBandwidthMbps });
    if (q.q) {
      qb.andWhere(`hatang_fold(coalesce(w.provider, '') || ' ' || coalesce(w.circuit_id, '')) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(fold(q.q))}%` });
    }
    return qb;
  }

  protected override build(input: CreateWanLink): WanLink {
    return { ...EQUIPMENT_DEFAULTS, bandwidthMbps: null, provider: null, circuitId: null, deviceId: null, ifIndex: null, ...input, id: newId(input) } as WanLink;
  }

  protected override merge(before: WanLink, patch: UpdateWanLink): WanLink {
    return takeMove(before, super.merge(before, patch));
  }

  protected override afterWrite(candidates: Candidate<WanLink>[], m: EntityManager): Promise<void> {
    return recordMoves('wan_link', candidates, m);
  }

  /** Where the WAN link has been, oldest first, its current agency last. */
  async placements(id: string, scope: Scope) {
    return placementsOf('wan_link', await this.get(id, scope), this.ds.manager);
  }

  protected async check(candidates: Candidate<WanLink>[], m: EntityManager): Promise<Map<number, FieldProblem[]>> {
    const out = await equipmentProblems(candidates, m);
    moveProblems(candidates, out);
    const deviceIds = [...new Set(candidates.map((c) => c.after.deviceId).filter((x): x is string => !!x))];
    const devices = new Map((await m.getRepository(Device).findBy({ id: anyOf(deviceIds) })).map((d) => [d.id, d]));
    const circuits = candidates.filter((c) => c.after.circuitId);
    const taken = new Set(
      (await m.getRepository(WanLink).find({
        select: { provider: true, circuitId: true },
        where: { circuitId: anyOf(circuits.map((c) => c.after.circuitId!)), id: notAnyOf(candidates.map((c) => c.after.id)) },
      })).map((w) => `${w.provider ?? ''}\u0000${w.circuitId}`),
    );
    const at = new Map<string, number>();
    for (const c of candidates) {
      const w = c.after;
      if (w.deviceId) {
        const d = devices.get(w.deviceId);
        if (!d) addProblem(out, c.index, { field: 'deviceId', message: `no device ${w.deviceId}`, value: w.deviceId });
        else if (d.agencyId !== w.agencyId) addProblem(out, c.index, { field: 'deviceId', message: 'the device belongs to another agency' });
      }
      if (w.ifIndex !== null && w.ifIndex !== undefined && !w.deviceId) addProblem(out, c.index, { field: 'ifIndex', message: 'an interface index needs the deviceId it belongs to' });
      if (w.circuitId) {
        const key = `${w.provider ?? ''}\u0000${w.circuitId}`;
        if (taken.has(key)) addProblem(out, c.index, { field: 'circuitId', message: `${w.provider ?? 'this provider'} already has a link with circuit id ${w.circuitId}`, value: w.circuitId });
        const twin = at.get(key);
        if (twin !== undefined) addProblem(out, c.index, { field: 'circuitId', message: `circuit id ${w.circuitId} also appears at [${twin}]`, value: w.circuitId });
        at.set(key, c.index);
      }
    }
    return out;
  }
}
