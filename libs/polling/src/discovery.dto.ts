import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsIP, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { DEVICE_KINDS, type DeviceKind, IsDay } from '@app/inventory';
import { PutSnmpProfile } from './polling.dto';

/** Most addresses one discovery probes: a /22 (1,024 addresses), or a list as long. */
export const MAX_DISCOVERY_ADDRESSES = 1024;
export const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A named credential: the credential fields of an SNMP profile. */
export class PutSnmpCredential extends PickType(PutSnmpProfile, ['version', 'community', 'user', 'authProtocol', 'authKey', 'privProtocol', 'privKey'] as const) {}

export class StartDiscovery {
  @ApiPropertyOptional({ example: '10.52.4.0/24', description: 'A range to probe, IPv4 at most a /22 (IPv6 at most a /118); give it or `addresses`' })
  @IsOptional()
  @IsString()
  @Length(1, 60)
  cidr?: string;

  @ApiPropertyOptional({ type: [String], example: ['10.52.4.1', '10.52.4.2'], description: `Addresses to probe (at most ${MAX_DISCOVERY_ADDRESSES}); give them or \`cidr\`` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DISCOVERY_ADDRESSES, { message: `addresses may list at most ${MAX_DISCOVERY_ADDRESSES} addresses; split the sweep` })
  @IsIP(undefined, { each: true, message: 'each of addresses must be an IPv4 or IPv6 address' })
  addresses?: string[];

  @ApiProperty({ type: [String], example: ['v2c-xa', 'v3-sotttt'], description: 'Names of stored credentials (PUT /snmp-credentials/{name}), tried in this order at each address' })
  @IsArray()
  @ArrayMinSize(1, { message: 'credentials must name at least one stored credential' })
  @ArrayMaxSize(5, { message: 'credentials may name at most 5 stored credentials (each is tried at every silent address)' })
  @Matches(CREDENTIAL_NAME, { each: true, message: 'each of credentials must be a credential name (letters, digits, . _ -)' })
  credentials: string[];

  @ApiPropertyOptional({ default: 161 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({ default: 1000, description: 'Wait for an answer to each credential, in milliseconds' })
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(10000)
  timeoutMs?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(2)
  retries?: number;

  @ApiPropertyOptional({ default: 50, description: 'Addresses begun per second (at most 200): a sweep must not flood a commune link' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200)
  ratePerSecond?: number;
}

export class RegisterDiscoveredDevice {
  @ApiProperty({ example: '10.52.4.1', description: 'An address that answered this discovery' })
  @IsIP(undefined, { message: 'address must be an IPv4 or IPv6 address' })
  address: string;

  @ApiProperty({ enum: DEVICE_KINDS })
  @IsIn(DEVICE_KINDS)
  kind: DeviceKind;

  @ApiPropertyOptional({ description: 'Defaults to the sysName the device gave' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  lanId?: string;

  @ApiPropertyOptional({ example: '2021-06-01', description: 'Defaults to the day of registration (Vietnam time)' })
  @IsOptional()
  @IsDay()
  commissionedOn?: string;
}

export class RegisterDiscovered {
  @ApiProperty({ format: 'uuid', description: 'The agency the devices belong to' })
  @IsUUID('all', { message: 'agencyId must be a UUID' })
  agencyId: string;

  @ApiProperty({ type: [RegisterDiscoveredDevice] })
  @IsArray()
  @ArrayMinSize(1, { message: 'devices must list at least one address to register' })
  @ArrayMaxSize(MAX_DISCOVERY_ADDRESSES)
  @ValidateNested({ each: true })
  @Type(() => RegisterDiscoveredDevice)
  devices: RegisterDiscoveredDevice[];

  @ApiPropertyOptional({ default: 300, description: 'Seconds between polls of the registered devices' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  intervalSeconds?: number;

  @ApiPropertyOptional({ default: 'default' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,99}$/, { message: 'pollerGroup must be lower-case letters, digits, - or _' })
  pollerGroup?: string;
}
