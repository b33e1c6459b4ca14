import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { CreateEquipment, MoveEquipment } from '../shared/lifecycle.dto';
import { EquipmentQuery, OneOrMoreOf } from '../shared/query-filters';
import { MEDIA, type Medium, NETWORKS, type Network } from '../shared/vocabulary';

export class CreateWanLink extends CreateEquipment {
  @ApiProperty({ enum: NETWORKS })
  @IsIn(NETWORKS)
  network: Network;

  @ApiProperty({ enum: MEDIA })
  @IsIn(MEDIA)
  medium: Medium;

  @ApiPropertyOptional({ type: Number, example: 100, nullable: true })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 3 })
  @IsPositive()
  @Max(1_000_000)
  bandwidthMbps?: number | null;

  @ApiPropertyOptional({ type: String, example: 'VNPT', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  provider?: string | null;

  @ApiPropertyOptional({ type: String, example: 'BDH-TSLCD-0042', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  circuitId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The device whose interface carries the link' })
  @IsOptional()
  @IsUUID()
  deviceId?: string | null;

  @ApiPropertyOptional({ type: Number, example: 3, nullable: true, description: "ifIndex of that interface (found from interfaceName once the device's interfaces are listed)" })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2147483647)
  ifIndex?: number | null;

  @ApiPropertyOptional({ type: String, example: 'Gi0/1', nullable: true, description: "The interface's name on that device (ifName): the link stays on it when the device renumbers its interfaces" })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  interfaceName?: string | null;
}

export class UpdateWanLink extends IntersectionType(PartialType(CreateWanLink), MoveEquipment) {}

export class WanLinkQuery extends EquipmentQuery {
  @OneOrMoreOf(NETWORKS)
  network?: Network[];

  @OneOrMoreOf(MEDIA)
  medium?: Medium[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  provider?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  deviceId?: string;

  @ApiPropertyOptional({ description: 'At least this bandwidth, in Mbit/s' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsNumber()
  @Min(0)
  minBandwidthMbps?: number;
}
