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
    return { ...EQUIPMENT_DEFAULTS, bandwidthMbps: null, provider: null, circuitId: null, deviceId: null, ifIndex: null, interfaceName: null, ...input, id: newId(input) } as WanLink;
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
      if (w.interfaceName && !w.deviceId) addProblem(out, c.index, { field: 'interfaceName', message: 'an interface name needs the deviceId it belongs to' });
      if (w.circuitId) {
        const key = `${w.provider ?? ''}\u0000${w.circuitId}`;
        if (taken.has(key)) addProblem(out, c.index, { field: 'circuitId', message: `${w.provider ?? 'this provider'} already has a link with circuit id ${w.circuitId}`, value: w.circuitId });
        const twin = at.get(key);
        if (twin !== undefined) addProblem(out, c.index, { field: 'circuitId', message: `circuit id ${w.circuitId} also appears at [${twin}]`, value: w.circuitId });
        at.set(key, c.index);
      }
    }
    await this.resolveInterfaces(candidates, m, out);
    return out;
  }

  /**
   * A link names its interface as admins do; the ifIndex is the device's number for it today, taken
   * from the device's interface list (IF-MIB, kept by the poller) where it has been read: a name the
   * device does not list is refused, and an ifIndex alone is given its name, so the link follows it
   * when the device renumbers. A device not listed yet keeps what was given; its first listing sets the rest.
   */
  private async resolveInterfaces(candidates: Candidate<WanLink>[], m: EntityManager, out: Map<number, FieldProblem[]>): Promise<void> {
    const bound = candidates.filter((c) => c.after.deviceId && (c.after.interfaceName || c.after.ifIndex != null));
    if (bound.length === 0) return;
    const rows: Array<{ deviceId: string; name: string; ifIndex: number }> = await m.query(
      `SELECT device_id AS "deviceId", name, if_index AS "ifIndex" FROM device_interface WHERE gone_at IS NULL AND device_id = ANY($1) ORDER BY device_id, if_index`,
      [[...new Set(bound.map((c) => c.after.deviceId!))]],
    );
    const listed = new Map<string, { byName: Map<string, number>; byIndex: Map<number, string> }>();
    for (const r of rows) {
      const d = listed.get(r.deviceId) ?? { byName: new Map(), byIndex: new Map() };
      d.byName.set(r.name, Number(r.ifIndex));
      d.byIndex.set(Number(r.ifIndex), r.name);
      listed.set(r.deviceId, d);
    }
    for (const c of bound) {
      const w = c.after;
      const d = listed.get(w.deviceId!);
      if (!d) continue;
      const nameChanged = c.before === null || c.before.interfaceName !== w.interfaceName || c.before.deviceId !== w.deviceId;
      const indexChanged = c.before === null || c.before.ifIndex !== w.ifIndex || c.before.deviceId !== w.deviceId;
      if (w.interfaceName) {
        const at = d.byName.get(w.interfaceName);
        if (at === undefined) {
          if (nameChanged) {
            const some = [...d.byName.keys()].slice(0, 8).join(', ');
            addProblem(out, c.index, { field: 'interfaceName', message: `the device lists no interface named ${w.interfaceName} (it lists ${some}${d.byName.size > 8 ? ', …' : ''})`, value: w.interfaceName });
          }
        } else if (w.ifIndex != null && w.ifIndex !== at && indexChanged) {
          // This write gave an ifIndex that is not the named interface's: alone, it moves the link
          // to that interface; given with a name, the two disagree.
          if (!nameChanged) w.interfaceName = d.byIndex.get(w.ifIndex) ?? null;
          else addProblem(out, c.index, { field: 'ifIndex', message: `${w.interfaceName} is ifIndex ${at} on this device, not ${w.ifIndex}`, value: w.ifIndex });
        } else w.ifIndex = at;
      } else if (w.ifIndex != null) {
        w.interfaceName = d.byIndex.get(w.ifIndex) ?? null;
      }
    }
  }
}
