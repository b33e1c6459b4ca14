import { ApiProperty, ApiPropertyOptional, IntersectionType, PartialType } from '@nestjs/swagger';
import { IsIn, isFQDN, isIP, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateBy } from 'class-validator';
import { CreateEquipment, MoveEquipment } from '../shared/lifecycle.dto';
import { EquipmentQuery, OneOrMoreOf } from '../shared/query-filters';
import { DEVICE_KINDS, type DeviceKind, MEETING_SYSTEMS, type MeetingSystem } from '../shared/vocabulary';

/** An IPv4 or IPv6 address, or a host name (RFC 1123: letters, digits, hyphens; dots between labels; at most 253 characters). */
export function isHostAddress(value: unknown): boolean {
  return typeof value === 'string' && (isIP(value) || (value.length <= 253 && isFQDN(value, { require_tld: false, allow_underscores: false, allow_trailing_dot: true, allow_numeric_tld: true })));
}

function IsHostAddress() {
  return ValidateBy({
    name: 'isHostAddress',
    validator: { validate: isHostAddress, defaultMessage: () => 'managementAddress must be an IPv4 or IPv6 address or a host name (sw-core.sotttt.binhdinh.gov.vn)' },
  });
}

export class CreateDevice extends CreateEquipment {
  @ApiProperty({ enum: DEVICE_KINDS })
  @IsIn(DEVICE_KINDS)
  kind: DeviceKind;

  @ApiPropertyOptional({ type: String, example: 'sw-core-01', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string | null;

  @ApiPropertyOptional({ type: String, example: 'FOC1234X0AB', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  serialNumber?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Catalyst 2960-X', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string | null;

  @ApiPropertyOptional({ type: String, example: 'Cisco', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  manufacturer?: string | null;

  @ApiPropertyOptional({ type: String, example: '10.52.0.1', nullable: true, description: 'An IPv4 or IPv6 address, or a DNS name (resolved by the poller, again every 5 minutes)' })
  @IsOptional()
  @IsHostAddress()
  managementAddress?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'The LAN this device forms part of' })
  @IsOptional()
  @IsUUID()
  lanId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Servers only' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  dataCentre?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Servers only' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  rack?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Servers only, e.g. database, web, backup' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  role?: string | null;

  @ApiPropertyOptional({ enum: MEETING_SYSTEMS, nullable: true, description: 'Videoconference endpoints only' })
  @IsOptional()
  @IsIn(MEETING_SYSTEMS)
  meetingSystem?: MeetingSystem | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Workstations only: the staff position it is assigned to' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  staffPosition?: string | null;
}

export class UpdateDevice extends IntersectionType(PartialType(CreateDevice), MoveEquipment) {}

export class DeviceQuery extends EquipmentQuery {
  @OneOrMoreOf(DEVICE_KINDS)
  kind?: DeviceKind[];

  @OneOrMoreOf(MEETING_SYSTEMS)
  meetingSystem?: MeetingSystem[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  manufacturer?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  model?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  serialNumber?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  lanId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  role?: string;
}
