import { Returns, schemaRef } from '../shared/responses';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change, Input } from '../shared/http';
import { ResourceController } from '../shared/resource-controller';
import { AgenciesService } from './agencies.service';
import { AgencyQuery, CreateAgency, StaffingFigures, UpdateAgency } from './agency.dto';
import type { AgencyStaffing } from './agency-staffing.entity';
import { Agency } from './agency.entity';

@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController extends ResourceController<Agency, CreateAgency, UpdateAgency, AgencyQuery>({
  plural: 'agencies',
  create: CreateAgency,
  update: UpdateAgency,
  query: AgencyQuery,
  write: Permission.InventoryWrite,
  entity: Agency,
}) {
  constructor(readonly service: AgenciesService) {
    super();
  }

  @Get(':id/staffing')
  @Returns({ type: 'array', items: schemaRef('AgencyStaffing') }, 'The agency\'s staffing figure of each year')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Head count per year (civil servants, public employees)' })
  staffing(@Param('id', new ParseUUIDPipe()) id: string, @CallerScope() scope: Scope): Promise<AgencyStaffing[]> {
    return this.service.staffing(id, scope);
  }

  @Put(':id/staffing/:year')
  @Returns(schemaRef('AgencyStaffing'), 'The figure as stored')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Set the head count of one year' })
  setStaffing(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('year', new ParseIntPipe()) year: number,
    @Body(new Input(StaffingFigures)) figures: StaffingFigures,
    @Change() ctx: ChangeContext,
  ): Promise<AgencyStaffing> {
    return this.service.setStaffing(id, year, figures, ctx);
  }

  @Delete(':id/staffing/:year')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the head count of one year' })
  async removeStaffing(@Param('id', new ParseUUIDPipe()) id: string, @Param('year', new ParseIntPipe()) year: number, @Change() ctx: ChangeContext): Promise<void> {
    await this.service.removeStaffing(id, year, ctx);
  }
}
