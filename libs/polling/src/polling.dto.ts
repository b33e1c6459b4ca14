import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsBooleanString, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS } from '@app/snmp';
import { IsInstant, ListQuery, NETWORKS } from '@app/inventory';

/** Secrets are write-only: they are accepted here and never returned. */
export class PutSnmpProfile {
  @ApiProperty({ enum: ['2c', '3'] })
  @IsIn(['2c', '3'], { message: 'version must be 2c or 3' })
  version: '2c' | '3';

  @ApiPropertyOptional({ description: 'v2c community (write-only). Required when creating a v2c profile; omit to keep the stored one.' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  community?: string;

  @ApiPropertyOptional({ description: 'v3 user name' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  user?: string;

  @ApiPropertyOptional({ enum: AUTH_PROTOCOLS })
  @IsOptional()
  @IsIn(AUTH_PROTOCOLS, { message: `authProtocol must be one of ${AUTH_PROTOCOLS.join(', ')}` })
  authProtocol?: (typeof AUTH_PROTOCOLS)[number];

  @ApiPropertyOptional({ description: 'v3 authentication passphrase, at least 8 characters (write-only)' })
  @IsOptional()
  @IsString()
  @Length(8, 255, { message: 'authKey must be 8 to 255 characters (RFC 3414)' })
  authKey?: string;

  @ApiPropertyOptional({ enum: PRIV_PROTOCOLS, nullable: true, description: 'Omit or null for authNoPriv' })
  @IsOptional()
  @IsIn([...PRIV_PROTOCOLS, null], { message: `privProtocol must be one of ${PRIV_PROTOCOLS.join(', ')}, or null` })
  privProtocol?: (typeof PRIV_PROTOCOLS)[number] | null;

  @ApiPropertyOptional({ description: 'v3 privacy passphrase, at least 8 characters (write-only)' })
  @IsOptional()
  @IsString()
  @Length(8, 255, { message: 'privKey must be 8 to 255 characters (RFC 3414)' })
  privKey?: string;

  @ApiPropertyOptional({ default: 161 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ default: 2000 })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60000)
  timeoutMs?: number;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  retries?: number;

  @ApiPropertyOptional({ default: 300, description: 'Seconds between polls (1 to 86400)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: 'default' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'pollerGroup must be lower-case letters, digits, - or _' })
  pollerGroup?: string;
}

export class WindowQuery {
  @ApiProperty({ example: '2026-01-01T00:00:00Z' })
  @IsInstant()
  from: string;

  @ApiPropertyOptional({ description: 'Defaults to now' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class OutageQuery extends ListQuery {
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'Outages that last into this instant or later' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Outages that began before this instant; defaults to now' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

export class TrafficQuery {
  @ApiPropertyOptional({ description: 'From this instant; defaults to a day before `to`' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Until this instant; defaults to now' })
  @IsOptional()
  @IsInstant()
  to?: string;

  @ApiPropertyOptional({ enum: ['5m', '1h', '1d'], description: 'Points of 5 minutes, an hour or a day; by default 5 minutes up to 2 days, hourly up to 62, daily beyond' })
  @IsOptional()
  @IsIn(['5m', '1h', '1d'], { message: 'resolution must be 5m, 1h or 1d' })
  resolution?: '5m' | '1h' | '1d';
}

export class MonthsQuery {
  @ApiPropertyOptional({ example: 3, description: 'How many months, this one and those before (1–13)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'months must be a whole number from 1 to 13' })
  @Min(1, { message: 'months must be a whole number from 1 to 13' })
  @Max(13, { message: 'months must be a whole number from 1 to 13' })
  months?: number;
}

export class LinkUseQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the links of agencies within this administrative unit (a plan\'s province, a district)' })
  @IsOptional()
  @IsUUID('all', { message: 'within must be the id of an administrative unit' })
  within?: string;

  @ApiPropertyOptional({ example: 7, description: 'The last N days (1–35: 5-minute points are kept 35 days)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number from 1 to 35' })
  @Min(1, { message: 'days must be a whole number from 1 to 35' })
  @Max(35, { message: 'days must be a whole number from 1 to 35' })
  days?: number;

  @ApiPropertyOptional({ enum: NETWORKS })
  @IsOptional()
  @IsIn(NETWORKS)
  network?: (typeof NETWORKS)[number];
}

export class UpdateInterface {
  @ApiProperty({ description: 'Poll it with the device (status, counters) and record its going down as an outage of it' })
  @IsBoolean({ message: 'monitored must be true or false' })
  monitored: boolean;
}

export class InterfaceQuery extends ListQuery {
  @ApiPropertyOptional({ description: 'Also the interfaces that left the device\'s list (gone), after the listed ones' })
  @IsOptional()
  @IsBooleanString({ message: 'gone must be true or false' })
  gone?: string;
}

export class AvailabilityQuery extends WindowQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all')
  deviceId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID('all')
  agencyId?: string;

  @ApiPropertyOptional({ description: 'A data centre (site): its servers' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  dataCentre?: string;
}

/** The longest maintenance window: a year (a device out for longer is retired or stored, not in maintenance). */
export const MAX_WINDOW_DAYS = 366;

export class MaintenanceWindowQuery extends ListQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'agencyId must be a UUID' })
  agencyId?: string;
}

export class CreateMaintenanceWindow {
  @ApiPropertyOptional({ description: 'One device, or…' })
  @IsOptional()
  @IsUUID('all')
  deviceId?: string;

  @ApiPropertyOptional({ description: '…every device of an agency' })
  @IsOptional()
  @IsUUID('all')
  agencyId?: string;

  @ApiProperty()
  @IsInstant()
  startsAt: string;

  @ApiProperty()
  @IsInstant()
  endsAt: string;

  @ApiProperty({ example: 'Thay UPS phòng máy chủ' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class TargetsQuery {
  @ApiPropertyOptional({ description: 'Poller group (default: default)' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'group must be lower-case letters, digits, - or _' })
  group?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The last deviceId of the previous page' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @ApiPropertyOptional({ default: 1000, maximum: 5000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}
