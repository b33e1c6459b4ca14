import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { type Role, ROLES } from '@app/inventory';

/** At least 12 characters: a phrase is easier to remember than a short password, and harder to guess. */
export const MIN_PASSWORD = 12;

export class SignIn {
  @ApiProperty({ example: 'demo' })
  @IsString()
  @Length(1, 64)
  username: string;

  @ApiProperty()
  @IsString()
  @Length(1, 200)
  password: string;
}

export class CreateUser {
  @ApiProperty({ example: 'nguyenvana', description: 'Lower-case letters, digits, dot, dash or underscore' })
  @Matches(/^[a-z0-9._-]{3,64}$/, { message: 'username must be 3–64 lower-case letters, digits, dots, dashes or underscores' })
  username: string;

  @ApiProperty({ example: 'Nguyễn Văn A — Sở TT&TT' })
  @IsString()
  @Length(1, 200)
  displayName: string;

  @ApiProperty({ description: `At least ${MIN_PASSWORD} characters` })
  @IsString()
  @Length(MIN_PASSWORD, 200, { message: `password must be ${MIN_PASSWORD} to 200 characters` })
  password: string;

  @ApiProperty({ enum: ROLES.filter((r) => r !== 'poller') })
  @IsIn(ROLES.filter((r) => r !== 'poller'), { message: 'role must be admin, network_admin, planner or viewer (pollers use tokens)' })
  role: Role;

  @ApiPropertyOptional({ format: 'uuid', description: 'Scope: this administrative unit and everything beneath it' })
  @IsOptional()
  @IsUUID('all', { message: 'administrativeUnitId must be a UUID' })
  administrativeUnitId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Scope: this agency and its subordinates. With neither, the whole country.' })
  @IsOptional()
  @IsUUID('all', { message: 'agencyId must be a UUID' })
  agencyId?: string;
}

export class UpdateUser extends PartialType(OmitType(CreateUser, ['username', 'administrativeUnitId', 'agencyId'] as const)) {
  @ApiPropertyOptional({ description: 'true disables the account (it cannot sign in, its sessions end); false enables it' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  scope: { kind: 'country' | 'unit' | 'agency'; id: string | null; name: string };
  disabled: boolean;
  lastSignInAt: Date | null;
  createdBy: string;
  createdAt: Date;
}
