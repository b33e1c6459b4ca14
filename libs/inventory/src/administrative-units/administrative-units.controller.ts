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
  @Returns(
    {
      type: 'object',
      properties: {
        validFrom: { type: 'string', format: 'date', nullable: true },
        provinces: { type: 'integer' },
        districts: { type: 'integer' },
        communes: { type: 'integer' },
        created: { type: 'integer' },
        updated: { type: 'integer', description: 'Changed in place (a list without a date, or a correction of the same list)' },
        versioned: { type: 'integer', description: 'Changed from the list\'s date: the old version ends, a new one begins' },
        ended: { type: 'integer', description: 'Left out of a list that replaces the current one: ended at its date' },
        unchanged: { type: 'integer' },
      },
    },
    'Units counted in the list, and what the import did',
  )
  @Requires(Permission.UnitsWrite)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import an official list of administrative units (GSO dvhcvn JSON, or the two-level list after the 2025 reorganisation)',
    description:
      'Creates new units; a unit whose name, type or parent changed ends at the list\'s date and a new version begins then (history is never rewritten); leaves the rest. The GSO list is dated by its `data_date`; the two-level list (`[{ Code, Name, FullName, Wards: [...] }]`) by `validFrom`. With `replaces=true` the units the list leaves out end at its date. Idempotent. `dryRun=true` only counts.',
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiQuery({ name: 'validFrom', required: false, type: String, description: 'The day the list came into force (YYYY-MM-DD); needed by a two-level list' })
  @ApiQuery({ name: 'replaces', required: false, type: Boolean, description: 'The units the list leaves out end at its date' })
  @ApiBody({ schema: { type: 'object', properties: { data_date: { type: 'string', example: '01/03/2025' }, data: { type: 'array', items: { type: 'object' } } } } })
  importOfficialList(
    @Body() body: unknown,
    @Query('dryRun') dryRun: string | undefined,
    @Query('validFrom') validFrom: string | undefined,
    @Query('replaces') replaces: string | undefined,
    @Change() ctx: ChangeContext,
  ): Promise<OfficialListImport> {
    return this.service.importOfficialList(body, { ...ctx, source: 'import' }, { dryRun: dryRun === 'true', validFrom, replaces: replaces === 'true' });
  }
}
