import { IsDay } from './dates';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { EQUIPMENT_STATUSES, type EquipmentStatus } from './vocabulary';

/** The fields every piece of equipment has when it is created. */
export abstract class CreateEquipment {
  @ApiProperty({ format: 'uuid', description: 'The agency it belongs to' })
  @IsUUID('all', { message: 'agencyId must be a UUID' })
  agencyId: string;

  @ApiPropertyOptional({ enum: EQUIPMENT_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(EQUIPMENT_STATUSES)
  status?: EquipmentStatus;

  @ApiPropertyOptional({ type: String, example: '2013-06-01', nullable: true })
  @IsOptional()
  @IsDay()
  commissionedOn?: string | null;

  @ApiPropertyOptional({ type: String, example: null, nullable: true })
  @IsOptional()
  @IsDay()
  retiredOn?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

/** An update's extra field for equipment: the day it moved to the agency the update names. */
export class MoveEquipment {
  @ApiPropertyOptional({
    type: String,
    example: '2026-03-01',
    description: 'With a new agencyId: the day the item moved there; coverage of earlier days still counts it at its former agency (GET …/{id}/placements lists where it has been). Without movedOn, a new agencyId corrects where it has always been.',
  })
  @IsOptional()
  @IsDay()
  movedOn?: string;
}
