import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsDay, PageQuery } from '@app/inventory';

export class CreateIndicator {
  @ApiProperty({ example: 'commune_lan_complete_fibre_wan', description: 'Lower-case letters, digits and underscores' })
  @Matches(/^[a-z][a-z0-9_]{2,79}$/, { message: 'code must be 3–80 lower-case letters, digits or underscores, starting with a letter' })
  code: string;

  @ApiProperty({ example: 'UBND cấp xã có mạng LAN hoàn chỉnh' })
  @IsString()
  @Length(1, 1000)
  labelVi: string;

  @ApiProperty({ example: 'Commune committees with a complete LAN' })
  @IsString()
  @Length(1, 1000)
  labelEn: string;

  @ApiProperty({
    description:
      'population: { entity: agency | administrative_unit | staff | device | reported, …filters }; criterion built from hasLink, hasLan, hasDevice, availability, combined with all / any',
    example: { population: { entity: 'agency', kinds: ['commune_committee'] }, criterion: { all: [{ hasLan: { complete: true } }, { hasLink: { network: 'internet', medium: 'fibre' } }] } },
  })
  @IsObject()
  definition: Record<string, unknown>;

  @ApiPropertyOptional({ format: 'uuid', description: 'The province it is declared for (only that province sees and uses it). Omitted: your token\'s province, or every province for a whole-country token.' })
  @IsOptional()
  @IsUUID()
  administrativeUnitId?: string;
}

export class UpdateIndicator extends PartialType(OmitType(CreateIndicator, ['administrativeUnitId'] as const)) {}

export class ReportValue {
  @ApiProperty({ format: 'uuid', description: 'The province' })
  @IsUUID('all', { message: 'administrativeUnitId must be a UUID' })
  administrativeUnitId: string;

  @ApiProperty({ example: 2015 })
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 85, description: 'Percent' })
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  value: number;

  @ApiProperty({ example: 'Báo cáo số 12/BC-STTTT ngày 10/01/2016 của Sở TT&TT' })
  @IsString()
  @Length(3, 2000)
  source: string;
}

export class TargetInput {
  @ApiProperty({ example: 'commune_lan', description: 'The indicator, by code' })
  @IsString()
  @Length(1, 80)
  indicator: string;

  @ApiProperty({ example: 2014 })
  @IsInt()
  @Min(1990)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 50, description: 'Percent' })
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  value: number;

  @ApiPropertyOptional({ type: String, example: '4', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  row?: string | null;

  @ApiProperty({ example: 'Tỷ lệ các xã, phường, thị trấn có mạng nội bộ (LAN).' })
  @IsString()
  @Length(1, 2000)
  wordingVi: string;

  @ApiPropertyOptional({ example: 'Communes with a LAN', description: 'Defaults to the indicator’s English label' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  labelEn?: string;
}

export class CreatePlan {
  @ApiProperty({ format: 'uuid', description: 'The province the plan belongs to' })
  @IsUUID('all', { message: 'administrativeUnitId must be a UUID' })
  administrativeUnitId: string;

  @ApiProperty()
  @IsString()
  @Length(1, 2000)
  titleVi: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  titleEn?: string | null;

  @ApiPropertyOptional({ type: String, example: '647/QĐ-UBND', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(60)
  documentNumber?: string | null;

  @ApiPropertyOptional({ type: String, example: '2012-11-23', nullable: true })
  @IsOptional()
  @IsDay()
  documentDate?: string | null;

  @ApiProperty({ example: 2011 })
  @IsInt()
  @Min(1990)
  @Max(2100)
  periodFrom: number;

  @ApiProperty({ example: 2015 })
  @IsInt()
  @Min(1990)
  @Max(2100)
  periodTo: number;

  @ApiPropertyOptional({ type: [TargetInput], description: 'Replaces every target of the plan when given' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => TargetInput)
  targets?: TargetInput[];
}

export class UpdatePlan extends PartialType(CreatePlan) {}

export class LoadPreset {
  @ApiPropertyOptional({ format: 'uuid', description: 'The province to load it for; defaults to the preset’s own province, found by GSO code' })
  @IsOptional()
  @IsUUID()
  administrativeUnitId?: string;
}

export class PlanQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The plans of this province' })
  @IsOptional()
  @IsUUID('all', { message: 'administrativeUnitId must be a UUID' })
  administrativeUnitId?: string;
}

export class CoverageQuery {
  @ApiPropertyOptional({ example: 2014, description: 'Only the targets of this year, as of its last day (or today, for the current year)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1990)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ example: '2014-06-30', description: 'The targets of this date’s year, with the inventory as it stood on this date' })
  @IsOptional()
  @IsDay()
  asOf?: string;

  @ApiPropertyOptional({ default: 0, description: 'How many of the units that do not count yet to list per target (their number is always given; GET /plans/{id}/coverage/{targetId}/missing pages through them)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100000)
  missingLimit?: number;
}

export class SaveReport extends CoverageQuery {
  @ApiPropertyOptional({ example: 'Báo cáo 6 tháng đầu năm 2014' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;
}

/** One indicator over every province: on a year's last day (or today) or on a date. */
export class OverviewQuery extends PickType(CoverageQuery, ['year', 'asOf'] as const) {
  @ApiProperty({ example: 'commune_lan_complete_fibre_wan', description: 'The indicator\'s code' })
  @Matches(/^[a-z][a-z0-9_]{2,79}$/, { message: 'indicator must be an indicator\'s code (e.g. commune_lan)' })
  indicator: string;
}

/** A page of a target's members that do not count: search without diacritics, on the target's date or another of its year. */
export class MissingQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Search the names (member, unit) and codes, insensitive to case and diacritics' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: '2014-06-30', description: 'A date of the target\'s year (default: the target\'s date: its year-end, or today in the current year)' })
  @IsOptional()
  @IsDay()
  asOf?: string;
}

export class ExportQuery extends CoverageQuery {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptional()
  @IsIn(['xlsx', 'csv'])
  format?: 'xlsx' | 'csv';
}

export class OverviewExportQuery extends IntersectionType(OverviewQuery, PickType(ExportQuery, ['format'] as const)) {}
