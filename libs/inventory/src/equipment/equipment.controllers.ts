import { Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Permission } from '../access/access';
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
}
