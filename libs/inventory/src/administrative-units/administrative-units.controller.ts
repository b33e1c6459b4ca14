import { Returns } from '../shared/responses';
import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Permission, Requires } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change } from '../shared/http';
import { ResourceController } from '../shared/resource-controller';
import { AdministrativeUnitQuery, CreateAdministrativeUnit, UpdateAdministrativeUnit } from './administrative-unit.dto';
import { AdministrativeUnit } from './administrative-unit.entity';
import { AdministrativeUnitsService, type OfficialListImport } from './administrative-units.service';

@ApiTags('administrative units')
@Controller('administrative-units')
export class AdministrativeUnitsController extends ResourceController<AdministrativeUnit, CreateAdministrativeUnit, UpdateAdministrativeUnit, AdministrativeUnitQuery>({
  plural: 'administrative units',
  create: CreateAdministrativeUnit,
  update: UpdateAdministrativeUnit,
  query: AdministrativeUnitQuery,
  write: Permission.UnitsWrite,
  entity: AdministrativeUnit,
}) {
  constructor(readonly service: AdministrativeUnitsService) {
    super();
  }

  @Post('official-list')
  @Returns({ type: 'object', properties: { validFrom: { type: 'string', format: 'date', nullable: true }, provinces: { type: 'integer' }, districts: { type: 'integer' }, communes: { type: 'integer' }, created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' } } }, 'Units counted in the list, and what the import did')
  @Requires(Permission.UnitsWrite)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import the official list of administrative units (GSO, dvhcvn JSON format)',
    description: 'Creates new units, updates changed names, types and parents, leaves the rest. Idempotent. `dryRun=true` only counts.',
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiBody({ schema: { type: 'object', properties: { data_date: { type: 'string', example: '01/03/2025' }, data: { type: 'array', items: { type: 'object' } } } } })
  importOfficialList(@Body() body: unknown, @Query('dryRun') dryRun: string | undefined, @Change() ctx: ChangeContext): Promise<OfficialListImport> {
    return this.service.importOfficialList(body, { ...ctx, source: 'import' }, { dryRun: dryRun === 'true' });
  }
}
