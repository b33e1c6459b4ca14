import { IsDay } from './dates';
import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { likeEscape } from './fold';
import { ListQuery } from './list-query';
import { EQUIPMENT_STATUSES, type EquipmentStatus } from './vocabulary';

/** A filter that takes one value or several, comma-separated: `?kind=router,switch`. */
export function OneOrMoreOf(values: readonly string[], description?: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: `${description ?? ''} One or more of: ${values.join(', ')} (comma-separated)`.trim() }),
    IsOptional(),
    Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter(Boolean) : value)),
    IsIn(values, { each: true, message: `$property must be one or more of: ${values.join(', ')}` }),
  );
}

export function DateFilter(description: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description, example: '2015-12-31' }),
    IsOptional(),
    IsDay(),
  );
}

/** Filters shared by every list of things that belong to an agency. */
export class AgencyScopedQuery extends ListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ description: 'Everything in this administrative unit and beneath it: its id or GSO code (e.g. 52 for Bình Định)' })
  @IsOptional()
  @IsString()
  administrativeUnit?: string;
}

/** Filters shared by WAN links, LANs and devices. */
export class EquipmentQuery extends AgencyScopedQuery {
  @OneOrMoreOf(EQUIPMENT_STATUSES)
  status?: EquipmentStatus[];

  @DateFilter('Commissioned on or after this date')
  commissionedFrom?: string;

  @DateFilter('Commissioned on or before this date')
  commissionedTo?: string;

  @DateFilter('In service on this date: commissioned by then, not retired by then, not planned')
  activeOn?: string;
}

/** Restricts to rows whose agency lies under `path` (a unit's path prefix). */
export function whereAgencyWithin<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, path: string): void {
  qb.andWhere(
    `${alias}.agency_id IN (SELECT a.id FROM agency a JOIN administrative_unit au ON au.id = a.administrative_unit_id WHERE au.path LIKE :unitPath ESCAPE '\\')`,
    { unitPath: `${likeEscape(path)}%` },
  );
}

export function whereEquipment<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string, q: EquipmentQuery): void {
  if (q.agencyId) qb.andWhere(`${alias}.agency_id = :agencyId`, { agencyId: q.agencyId });
  if (q.status?.length) qb.andWhere(`${alias}.status IN (:...status)`, { status: q.status });
  if (q.commissionedFrom) qb.andWhere(`${alias}.commissioned_on >= :cFrom`, { cFrom: q.commissionedFrom });
  if (q.commissionedTo) qb.andWhere(`${alias}.commissioned_on <= :cTo`, { cTo: q.commissionedTo });
  if (q.activeOn) {
    qb.andWhere(
      `${alias}.status <> 'planned' AND ${alias}.commissioned_on <= :activeOn AND (${alias}.retired_on IS NULL OR ${alias}.retired_on > :activeOn)`,
      { activeOn: q.activeOn },
    );
  }
}

export const EQUIPMENT_SORTS = (alias: string) => ({
  commissionedOn: `"${alias}"."commissioned_on"`,
  retiredOn: `"${alias}"."retired_on"`,
  status: `"${alias}"."status"`,
  createdAt: `"${alias}"."created_at"`,
  updatedAt: `"${alias}"."updated_at"`,
});
