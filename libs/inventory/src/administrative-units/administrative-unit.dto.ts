import { IsDay, isDay } from '../shared/dates';
import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateBy, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
import { ListQuery } from '../shared/list-query';
import { UNIT_LEVELS, type UnitLevel } from '../shared/vocabulary';

export const UNIT_TYPES: Record<UnitLevel, readonly string[]> = {
  province: ['Tỉnh', 'Thành phố Trung ương', 'Thành phố'],
  district: ['Huyện', 'Quận', 'Thị xã', 'Thành phố', 'Thành phố thuộc thành phố Trung ương'],
  commune: ['Xã', 'Phường', 'Thị trấn', 'Đặc khu'],
};
export const CODE_LENGTH: Record<UnitLevel, number> = { province: 2, district: 3, commune: 5 };

export class CreateAdministrativeUnit {
  @ApiProperty({ example: '52', description: 'GSO code: 2 digits (province), 3 (district), 5 (commune)' })
  @Matches(/^\d{2,5}$/, { message: 'code must be a GSO code of 2, 3 or 5 digits' })
  code: string;

  @ApiProperty({ example: 'Tỉnh Bình Định' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: UNIT_LEVELS })
  @IsIn(UNIT_LEVELS)
  level: UnitLevel;

  @ApiProperty({ example: 'Tỉnh', description: 'Vietnamese type as published by GSO' })
  @IsString()
  @MaxLength(60)
  type: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'A commune may sit directly under a province (2025 two-level hierarchy)' })
  @IsOptional()
  @IsUUID()
  parentId?: string | null;

  @ApiPropertyOptional({ type: String, example: '2025-07-01', nullable: true })
  @IsOptional()
  @IsDay()
  validFrom?: string | null;

  @ApiPropertyOptional({ type: String, example: null, nullable: true })
  @IsOptional()
  @IsDay()
  validTo?: string | null;
}

export class UpdateAdministrativeUnit extends PartialType(CreateAdministrativeUnit) {}

export class AdministrativeUnitQuery extends ListQuery {
  @ApiPropertyOptional({ enum: UNIT_LEVELS })
  @IsOptional()
  @IsIn(UNIT_LEVELS)
  level?: UnitLevel;

  @ApiPropertyOptional({ description: 'Units beneath this one (id or GSO code), at any depth' })
  @IsOptional()
  @IsString()
  within?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Direct children of this unit' })
  @IsOptional()
  @IsUUID()
  parentId?: string;

  @ApiPropertyOptional({ description: 'Exact GSO code' })
  @IsOptional()
  @Matches(/^\d{2,5}$/)
  code?: string;

  @ApiPropertyOptional({ description: 'Units in force on this date (default: today). `all` for the whole history.' })
  @IsOptional()
  @ValidateBy({ name: 'dayOrAll', validator: { validate: (v) => v === 'all' || isDay(v), defaultMessage: () => 'validOn must be a real date YYYY-MM-DD or all' } })
  validOn?: string;
}
