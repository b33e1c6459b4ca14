import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { type Role, ROLES } from '@app/inventory';

export const MAX_TOKEN_DAYS = 730;
export const DEFAULT_TOKEN_DAYS = 90;

export class CreateToken {
  @ApiProperty({ description: 'Who will hold it: a person and their office, or a service. The audit log names them.', example: 'Trần Thị B — Phòng Hạ tầng, Sở TT&TT' })
  @IsString()
  @Length(1, 200)
  owner: string;

  @ApiProperty({ enum: ROLES, description: 'admin: everything; network_admin: writes inventory; planner: reads, manages plans and reported values; viewer: reads; poller: SNMP targets and poll results only' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Scope: this administrative unit (province, district, commune) and everything beneath it' })
  @IsOptional()
  @IsUUID()
  administrativeUnitId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Scope: this agency and its subordinate agencies. With neither field, the whole country.' })
  @IsOptional()
  @IsUUID()
  agencyId?: string;

  @ApiPropertyOptional({ description: `Days until it expires (default ${DEFAULT_TOKEN_DAYS}, at most ${MAX_TOKEN_DAYS})`, example: DEFAULT_TOKEN_DAYS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_DAYS)
  expiresInDays?: number;

  @ApiPropertyOptional({ type: [String], description: 'Addresses or CIDR blocks it may be used from (IPv4 or IPv6); omit for anywhere', example: ['10.52.0.0/16'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  allowedAddresses?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

/** A token as lists show it: never the secret nor its hash. */
export interface TokenView {
  id: string;
  owner: string;
  role: Role;
  scope: { kind: 'country' | 'unit' | 'agency'; id: string | null; name: string };
  prefix: string;
  allowedAddresses: string[] | null;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  note: string | null;
  status: 'active' | 'expired' | 'revoked';
}
