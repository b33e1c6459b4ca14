import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, Not, type SelectQueryBuilder } from 'typeorm';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import { AuditLog } from '../audit/audit-log.service';
import type { Scope } from '../access/access';
import { fold, likeEscape } from '../shared/fold';
import { anyOf, type Candidate, InventoryResource, newId, notAnyOf } from '../shared/inventory-resource';
import type { FieldProblem } from '../shared/inventory-error';
import { EQUIPMENT_SORTS, whereAgencyWithin, whereEquipment } from '../shared/query-filters';
import { Device } from './device.entity';
import type { CreateDevice, DeviceQuery, UpdateDevice } from './device.dto';
import { addProblem, EQUIPMENT_DEFAULTS, equipmentProblems, moveProblems, placementsOf, recordMoves, takeMove } from './equipment-checks';
import { Lan } from './lan.entity';

const ONLY_FOR: Array<[keyof Device, Device['kind']]> = [
  ['dataCentre', 'server'],
  ['rack', 'server'],
  ['role', 'server'],
  ['meetingSystem', 'videoconference_endpoint'],
  ['staffPosition', 'workstation'],
];

@Injectable()
export class DevicesService extends InventoryResource<Device, CreateDevice, UpdateDevice> {
  readonly type = 'device';
  protected readonly entity = Device;
  protected readonly alias = 'd';
  protected readonly place = 'agency-owned' as const;
  protected readonly sortable = {
    fields: { ...EQUIPMENT_SORTS('d'), name: '"d"."name"', kind: '"d"."kind"', serialNumber: '"d"."serial_number"', model: '"d"."model"' },
    default: 'createdAt',
  };

  constructor(
    @InjectDataSource() ds: DataSource,
    audit: AuditLog,
    private readonly units: AdministrativeUnitsService,
  ) {
    super(ds, audit);
  }

  protected async filtered(q: DeviceQuery): Promise<SelectQueryBuilder<Device>> {
    const qb = this.repo().createQueryBuilder('d');
    whereEquipment(qb, 'd', q);
    if (q.administrativeUnit) whereAgencyWithin(qb, 'd', await this.units.subtreePath(q.administrativeUnit, 'administrativeUnit'));
    if (q.kind?.length) qb.andWhere('d.kind IN (:...kind)', { kind: q.kind });
    if (q.meetingSystem?.length) qb.andWhere('d.meeting_system IN (:...ms)', { ms: q.meetingSystem });
    if (q.manufacturer) qb.andWhere('hatang_fold(d.manufacturer) = hatang_fold(:manufacturer)', { manufacturer: q.manufacturer });
    if (q.model) qb.andWhere('hatang_fold(d.model) = hatang_fold(:model)', { model: q.model });
    if (q.serialNumber) qb.andWhere('d.serial_number = :serial', { serial: q.serialNumber });
    if (q.lanId) qb.andWhere('d.lan_id = :lanId', { lanId: q.lanId });
    if (q.role) qb.andWhere('d.role = :role', { role: q.role });
    if (q.q) {
      // Its own fields, or where it says it is and who looks after it (sysLocation, sysContact of
      // its latest poll): each side through its trigram index, then by id.
      qb.andWhere(
        `d.id IN (SELECT x.id FROM device x WHERE hatang_fold(coalesce(x.name, '') || ' ' || coalesce(x.serial_number, '') || ' ' || coalesce(x.model, '') || ' ' || coalesce(x.manufacturer, '')) LIKE :q ESCAPE '\\'
                  UNION SELECT s.device_id FROM device_poll_state s WHERE hatang_fold(coalesce(s.sys_location, '') || ' ' || coalesce(s.sys_contact, '')) LIKE :q ESCAPE '\\')`,
        { q: `%${likeEscape(fold(q.q))}%` },
      );
    }
    return qb;
  }

  protected override build(input: CreateDevice): Device {
    return {
      ...EQUIPMENT_DEFAULTS,
      name: null,
      serialNumber: null,
      model: null,
      manufacturer: null,
      managementAddress: null,
      lanId: null,
      dataCentre: null,
      rack: null,
      role: null,
      meetingSystem: null,
      staffPosition: null,
      ...input,
      id: newId(input),
    } as Device;
  }

  protected override merge(before: Device, patch: UpdateDevice): Device {
    return takeMove(before, super.merge(before, patch));
  }

  protected override afterWrite(candidates: Candidate<Device>[], m: EntityManager): Promise<void> {
    return recordMoves('device', candidates, m);
  }

  /** Where the device has been, oldest first, its current agency last. */
  async placements(id: string, scope: Scope) {
    return placementsOf('device', await this.get(id, scope), this.ds.manager);
  }

  protected async check(candidates: Candidate<Device>[], m: EntityManager): Promise<Map<number, FieldProblem[]>> {
    const out = await equipmentProblems(candidates, m);
    moveProblems(candidates, out);
    const ids = candidates.map((c) => c.after.id);

    const serials = candidates.map((c) => c.after.serialNumber).filter((s): s is string => !!s);
    const takenSerials = new Set(
      (await m.getRepository(Device).find({ select: { serialNumber: true }, where: { serialNumber: anyOf(serials), id: notAnyOf(ids) } })).map((d) => d.serialNumber),
    );
    const lanIds = [...new Set(candidates.map((c) => c.after.lanId).filter((x): x is string => !!x))];
    const lans = new Map((await m.getRepository(Lan).findBy({ id: anyOf(lanIds) })).map((l) => [l.id, l]));
    const positions = candidates.filter((c) => isAssignedWorkstation(c.after));
    const takenPositions = new Set(
      (await m.getRepository(Device).find({
        select: { agencyId: true, staffPosition: true },
        where: { kind: 'workstation', agencyId: anyOf(positions.map((c) => c.after.agencyId)), status: Not('retired'), id: notAnyOf(ids) },
      })).filter((d) => d.staffPosition).map((d) => `${d.agencyId}\u0000${d.staffPosition}`),
    );

    const serialAt = new Map<string, number>();
    const positionAt = new Map<string, number>();
    for (const c of candidates) {
      const d = c.after;
      if (d.serialNumber) {
        if (takenSerials.has(d.serialNumber)) addProblem(out, c.index, { field: 'serialNumber', message: `another device already has serial number ${d.serialNumber}`, value: d.serialNumber });
        const twin = serialAt.get(d.serialNumber);
        if (twin !== undefined) addProblem(out, c.index, { field: 'serialNumber', message: `serial number ${d.serialNumber} also appears at [${twin}]`, value: d.serialNumber });
        serialAt.set(d.serialNumber, c.index);
      }
      if (isAssignedWorkstation(d)) {
        const key = `${d.agencyId}\u0000${d.staffPosition}`;
        if (takenPositions.has(key)) addProblem(out, c.index, { field: 'staffPosition', message: `staff position "${d.staffPosition}" already has a workstation`, value: d.staffPosition });
        const twin = positionAt.get(key);
        if (twin !== undefined) addProblem(out, c.index, { field: 'staffPosition', message: `staff position "${d.staffPosition}" is also assigned at [${twin}]`, value: d.staffPosition });
        positionAt.set(key, c.index);
      }
      for (const [field, kind] of ONLY_FOR) {
        if (d[field] !== null && d[field] !== undefined && d.kind !== kind) {
          addProblem(out, c.index, { field, message: `${field} applies only to a ${kind.replace(/_/g, ' ')}, not a ${d.kind.replace(/_/g, ' ')}` });
        }
      }
      if (d.lanId) {
        const lan = lans.get(d.lanId);
        if (!lan) addProblem(out, c.index, { field: 'lanId', message: `no LAN ${d.lanId}`, value: d.lanId });
        else if (lan.agencyId !== d.agencyId) addProblem(out, c.index, { field: 'lanId', message: 'the LAN belongs to another agency' });
      }
    }
    return out;
  }

  protected override async blockersOfDelete(ids: string[], m: EntityManager): Promise<Map<string, string>> {
    const rows: Array<{ device_id: string; n: number }> = await m.query(
      `SELECT device_id, count(*)::int AS n FROM wan_link WHERE device_id = ANY($1) GROUP BY device_id`,
      [ids],
    );
    return new Map(rows.map((r) => [r.device_id, `${r.n} WAN links are carried by this device; detach them first`]));
  }
}

function isAssignedWorkstation(d: Device): boolean {
  return d.kind === 'workstation' && !!d.staffPosition && d.status !== 'retired';
}
