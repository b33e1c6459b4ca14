import { IsDay } from '../shared/dates';
import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CreateEquipment, MoveEquipment } from '../shared/lifecycle.dto';
import { EquipmentQuery } from '../shared/query-filters';

export class CreateLan extends CreateEquipment {
  @ApiProperty({ example: 'LAN trụ sở UBND xã' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 6, description: 'Departments of the office the LAN joins' })
  @IsInt()
  @Min(0)
  @Max(10000)
  departmentsJoined: number;

  @ApiProperty({ example: 6, description: 'Departments in the office' })
  @IsInt()
  @Min(1)
  @Max(10000)
  departmentsTotal: number;

  @ApiPropertyOptional({ type: String, example: '2014-03-01', nullable: true, description: 'When it came to join every department; defaults to commissionedOn for a LAN complete from the start' })
  @IsOptional()
  @IsDay()
  completedOn?: string | null;
}

export class UpdateLan extends IntersectionType(PartialType(CreateLan), MoveEquipment) {}

export class LanQuery extends EquipmentQuery {
  @ApiPropertyOptional({ description: 'Only LANs that join every department (true) or not (false)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  complete?: boolean;
}
