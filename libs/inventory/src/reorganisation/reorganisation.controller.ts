import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change } from '../shared/http';
import { AN_OBJECT, Returns } from '../shared/responses';
import { InventoryError } from '../shared/inventory-error';
import { type ApplyRequest, ReorganisationService } from './reorganisation.service';

const uuid = new ParseUUIDPipe({ version: undefined });

const APPLY_BODY = {
  type: 'object',
  required: ['province'],
  properties: {
    province: { type: 'string', description: 'The new province\'s code (52: Tỉnh Gia Lai)' },
    effectiveOn: { type: 'string', format: 'date', default: '2025-07-01' },
    agencies: { type: 'array', description: 'Where agencies waiting for a person go: a new commune\'s code, or the province\'s own', items: { type: 'object', properties: { agencyId: { type: 'string', format: 'uuid' }, to: { type: 'string' } } } },
    equipment: {
      type: 'array',
      description: 'Where single items go (to the people\'s committee of the unit named): the equipment of an old commune split between new ones',
      items: { type: 'object', properties: { type: { type: 'string', enum: ['device', 'lan', 'wanLink'] }, id: { type: 'string', format: 'uuid' }, to: { type: 'string' } } },
    },
  },
};

@ApiTags('administrative-units')
@Controller('reorganisations')
export class ReorganisationController {
  constructor(private readonly reorganisation: ReorganisationService) {}

  @Post()
  @Requires(Permission.UnitsWrite)
  @Returns(AN_OBJECT, 'What was done (or, with dryRun, what would be): committees ended and begun, agencies carried, equipment moved and waiting, positions renamed, staffing copied and to enter, agencies still waiting')
  @ApiOperation({
    summary: 'Carry one new province\'s inventory across the reorganisation, from the mapping as it stands, in one transaction (revert it with POST /reorganisations/{id}/revert)',
    description:
      'Old units\' people\'s committees end, their equipment going to the new unit\'s committee (begun where the new commune has none); other agencies of an old commune that went whole into one new commune, and every agency of an old province, are carried: each ends and a successor with its code begins in the new unit, with its equipment and staffing from the year of the change. Agencies of split or unmapped communes and of dissolved districts wait until `agencies` or `equipment` says where they go. Equipment keeps where it was before, so coverage of any earlier day is unchanged. `dryRun=true` does all of it and rolls it back.',
  })
  @ApiBody({ schema: APPLY_BODY })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  async apply(@Body() body: unknown, @Query('dryRun') dryRun: string | undefined, @Change() ctx: ChangeContext, @Res({ passthrough: true }) res: Response) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') throw InventoryError.invalid('The query is not valid', [{ field: 'dryRun', message: 'dryRun must be true or false', value: dryRun }]);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw InventoryError.invalid('The body is not valid', [{ field: 'body', message: 'send { province, effectiveOn, agencies, equipment } as a JSON object' }]);
    const outcome = await this.reorganisation.apply(body as ApplyRequest, ctx, { dryRun: dryRun === 'true' });
    res.status(outcome.dryRun ? 200 : 201);
    return outcome;
  }

  @Get()
  @Requires(Permission.InventoryRead)
  @Returns({ type: 'array', items: AN_OBJECT }, 'The runs, latest first, with what each did and whether it was reverted')
  list(@CallerScope() scope: Scope) {
    return this.reorganisation.list(scope);
  }

  @Get(':id')
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, 'One run')
  get(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.reorganisation.get(id, scope);
  }

  @Post(':id/revert')
  @HttpCode(200)
  @Requires(Permission.UnitsWrite)
  @Returns(AN_OBJECT, 'The run, reverted')
  @ApiOperation({ summary: 'Undo a run: equipment back where it was, the agencies it created removed, those it ended current again; refused (naming why) when anything was since built on it' })
  revert(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.reorganisation.revert(id, ctx);
  }
}
