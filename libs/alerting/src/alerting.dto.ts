import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsEmail, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { DEVICE_KINDS, IsInstant, ListQuery, PageQuery } from '@app/inventory';
import { CHANNEL_KINDS, type ChannelKind, DELIVERY_STATUSES, RULE_KINDS, type RuleKind } from './entities';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateChannel {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  @IsIn(CHANNEL_KINDS, { message: `kind must be one of ${CHANNEL_KINDS.join(', ')}` })
  kind: ChannelKind;

  @ApiPropertyOptional({ type: [String], description: 'E-mail: the addresses (1 to 20)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsEmail({}, { each: true, message: 'each recipient must be an e-mail address' })
  recipients?: string[];

  @ApiPropertyOptional({ description: 'Webhook: the http(s) URL notifications are POSTed to' })
  @IsOptional()
  @IsUrl(URL_OPTIONS, { message: 'url must be an http:// or https:// URL' })
  @Length(1, 2000)
  url?: string;

  @ApiPropertyOptional({ description: 'Webhook: the HMAC-SHA256 key, 16 to 200 characters (write-only, never returned)' })
  @IsOptional()
  @IsString()
  @Length(16, 200, { message: 'secret must be 16 to 200 characters' })
  secret?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

/** Any field of a channel but its kind; a secret left out keeps the stored one. */
export class UpdateChannel extends PartialType(OmitType(CreateChannel, ['kind'] as const)) {}

export class RuleFields {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'device_down, interface_down: for at least this many minutes (0 to 10080); poller_silent: no report for this long (1 to 10080)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10080)
  minutes?: number;

  @ApiPropertyOptional({ description: 'availability_below: over the last N days (1 to 366)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  days?: number;

  @ApiPropertyOptional({ description: 'availability_below: the target, in percent (e.g. 99.9)' })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 4 })
  @Min(0)
  @Max(100)
  targetPercent?: number;

  @ApiPropertyOptional({ description: 'not_polled: no poll for this many of the device\'s intervals (2 to 1000)' })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1000)
  intervals?: number;

  @ApiPropertyOptional({ description: 'poller_silent: the poller group' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'pollerGroup must be lower-case letters, digits, - or _' })
  pollerGroup?: string;

  @ApiPropertyOptional({ type: String, enum: DEVICE_KINDS, nullable: true, description: 'Only devices of this kind' })
  @IsOptional()
  @IsIn([...DEVICE_KINDS, null], { message: `deviceKind must be one of ${DEVICE_KINDS.join(', ')}` })
  deviceKind?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Only devices of this agency' })
  @IsOptional()
  @IsUUID('all', { message: 'agencyId must be a UUID' })
  agencyId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Only devices of agencies in this unit or beneath it' })
  @IsOptional()
  @IsUUID('all', { message: 'unitId must be a UUID' })
  unitId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Only devices of this data centre' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  dataCentre?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Remind every N minutes (5 to 10080) while the incident lasts unacknowledged; null: no reminders' })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(10080)
  reminderMinutes?: number | null;

  @ApiPropertyOptional({ type: [String], description: 'The channels notified (1 to 10)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each channel id must be a UUID' })
  channelIds?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateRule extends RuleFields {
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  declare name: string;

  @ApiProperty({ enum: RULE_KINDS })
  @IsIn(RULE_KINDS, { message: `kind must be one of ${RULE_KINDS.join(', ')}` })
  kind: RuleKind;

  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: 'each channel id must be a UUID' })
  declare channelIds: string[];
}

export class UpdateRule extends RuleFields {}

export class IncidentQuery extends ListQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved', 'all'], default: 'all' })
  @IsOptional()
  @IsIn(['open', 'resolved', 'all'], { message: 'state must be open, resolved or all' })
  state?: 'open' | 'resolved' | 'all';

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'ruleId must be a UUID' })
  ruleId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'deviceId must be a UUID' })
  deviceId?: string;

  @ApiPropertyOptional({ enum: RULE_KINDS })
  @IsOptional()
  @IsIn(RULE_KINDS, { message: `kind must be one of ${RULE_KINDS.join(', ')}` })
  kind?: RuleKind;
}

export class DeliveryQuery extends PageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: string;
}

export class TrapQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Traps received at or after this instant' })
  @IsOptional()
  @IsInstant()
  since?: string;
}
