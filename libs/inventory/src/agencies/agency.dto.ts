import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDay } from '../shared/dates';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { ListQuery } from '../shared/list-query';
import { OneOrMoreOf } from '../shared/query-filters';
import { AGENCY_KINDS, type AgencyKind, SECTORS, type Sector } from '../shared/vocabulary';

export class CreateAgency {
  @ApiPropertyOptional({ type: String, example: 'H31.01', nullable: true, description: 'Identifier code (mã định danh); spreadsheets match on it' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,40}$/, { message: 'code must be 1–40 letters, digits, dots, dashes or underscores' })
  code?: string | null;

  @ApiProperty({ example: 'Sở Thông tin và Truyền thông' })
  @IsString()
  @Length(1, 300)
  name: string;

  @ApiProperty({ enum: AGENCY_KINDS })
  @IsIn(AGENCY_KINDS)
  kind: AgencyKind;

  @ApiPropertyOptional({ enum: SECTORS, default: 'general' })
  @IsOptional()
  @IsIn(SECTORS)
  sector?: Sector;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'administrativeUnitId must be a UUID' })
  administrativeUnitId: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The agency it reports to' })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string | null;
}

export class UpdateAgency extends PartialType(CreateAgency) {}

export class AgencyQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Agencies in this administrative unit and beneath it: its id or GSO code' })
  @IsOptional()
  @IsString()
  administrativeUnit?: string;

  @OneOrMoreOf(AGENCY_KINDS)
  kind?: AgencyKind[];

  @OneOrMoreOf(SECTORS)
  sector?: Sector[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  code?: string;

  @ApiPropertyOptional({ description: 'Only the agencies that existed on this day (an old commune\'s committee ended with its commune on 2025-07-01)', example: '2026-01-01' })
  @IsOptional()
  @IsDay()
  validOn?: string;
}

export class StaffingFigures {
  @ApiProperty({ example: 42, description: 'Civil servants (cán bộ, công chức)' })
  @Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value))
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  civilServants: number;

  @ApiProperty({ example: 8, description: 'Public employees (viên chức)' })
  @Transform(({ value }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value))
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  publicEmployees: number;
}
