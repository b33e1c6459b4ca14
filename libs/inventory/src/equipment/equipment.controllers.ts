import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import { Returns } from '../shared/responses';
import { ResourceController } from '../shared/resource-controller';
import { CreateDevice, DeviceQuery, UpdateDevice } from './device.dto';
import { Device } from './device.entity';
import { DevicesService } from './devices.service';
import { CreateLan, LanQuery, UpdateLan } from './lan.dto';
import { Lan } from './lan.entity';
import { LansService } from './lans.service';
import { CreateWanLink, UpdateWanLink, WanLinkQuery } from './wan-link.dto';
import { WanLink } from './wan-link.entity';
import { WanLinksService } from './wan-links.service';

const uuid = new ParseUUIDPipe({ version: undefined });
const PLACEMENTS = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      agencyId: { type: 'string', format: 'uuid' },
      agencyName: { type: 'string' },
      from: { type: 'string', format: 'date', nullable: true },
      to: { type: 'string', format: 'date', nullable: true },
      staffPosition: { type: 'string', nullable: true },
      runId: { type: 'string', format: 'uuid', nullable: true },
    },
  },
};

@ApiTags('devices')
@Controller('devices')
export class DevicesController extends ResourceController<Device, CreateDevice, UpdateDevice, DeviceQuery>({
  plural: 'devices',
  create: CreateDevice,
  update: UpdateDevice,
  query: DeviceQuery,
  write: Permission.InventoryWrite,
  entity: Device,
}) {
  constructor(readonly service: DevicesService) {
    super();
  }

  @Get(':id/placements')
  @Requires(Permission.InventoryRead)
  @Returns(PLACEMENTS, 'Each agency it was at, from and to (the first day elsewhere), oldest first; the current one last, with to null')
  @ApiOperation({ summary: 'Where it has been: moved by hand (PATCH with movedOn) or by the reorganisation' })
  placements(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.service.placements(id, scope);
  }
}

@ApiTags('LANs')
@Controller('lans')
export class LansController extends ResourceController<Lan, CreateLan, UpdateLan, LanQuery>({
  plural: 'LANs',
  create: CreateLan,
  update: UpdateLan,
  query: LanQuery,
  write: Permission.InventoryWrite,
  entity: Lan,
}) {
  constructor(readonly service: LansService) {
    super();
  }

  @Get(':id/placements')
  @Requires(Permission.InventoryRead)
  @Returns(PLACEMENTS, 'Each agency it was at, from and to (the first day elsewhere), oldest first; the current one last, with to null')
  @ApiOperation({ summary: 'Where it has been: moved by hand (PATCH with movedOn) or by the reorganisation' })
  placements(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.service.placements(id, scope);
  }
}

@ApiTags('WAN links')
@Controller('wan-links')
export class WanLinksController extends ResourceController<WanLink, CreateWanLink, UpdateWanLink, WanLinkQuery>({
  plural: 'WAN links',
  create: CreateWanLink,
  update: UpdateWanLink,
  query: WanLinkQuery,
  write: Permission.InventoryWrite,
  entity: WanLink,
}) {
  constructor(readonly service: WanLinksService) {
    super();
  }

  @Get(':id/placements')
  @Requires(Permission.InventoryRead)
  @Returns(PLACEMENTS, 'Each agency it was at, from and to (the first day elsewhere), oldest first; the current one last, with to null')
  @ApiOperation({ summary: 'Where it has been: moved by hand (PATCH with movedOn) or by the reorganisation' })
  placements(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.service.placements(id, scope);
  }
}
