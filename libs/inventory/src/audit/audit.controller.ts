import { Returns, schemaRef } from '../shared/responses';
import { IsInstant } from '../shared/dates';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import { Input } from '../shared/http';
import { ListQuery, type Page } from '../shared/list-query';
import type { AuditEntry } from './audit-entry.entity';
import { AuditLog } from './audit-log.service';

export class AuditQuery extends ListQuery {
  @ApiPropertyOptional({ example: 'device' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  entityType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  actor?: string;

  @ApiPropertyOptional({ description: 'From this instant (ISO 8601)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'Before this instant (ISO 8601)' })
  @IsOptional()
  @IsInstant()
  to?: string;
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Returns(schemaRef('AuditEntryPage'), 'A page of the audit log')
  @Requires(Permission.AuditRead)
  @ApiOperation({ summary: 'Every change within your scope: who (the token owner), when, through what, before and after; newest first' })
  list(@Query(new Input(AuditQuery)) query: AuditQuery, @CallerScope() scope: Scope): Promise<Page<AuditEntry>> {
    return this.audit.list(query, scope);
  }
}
