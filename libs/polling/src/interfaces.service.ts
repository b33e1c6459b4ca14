import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, type ChangeContext, DevicesService, InventoryError } from '@app/inventory';
import { DeviceInterface } from './entities';
import { SnmpProfilesService } from './snmp-profiles.service';

/** What an admin changes on a device's interface: whether it is monitored. The rest is the device's word. */
@Injectable()
export class InterfacesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly devices: DevicesService,
    private readonly audit: AuditLog,
    private readonly profiles: SnmpProfilesService,
  ) {}

  /** Marks an interface monitored or not (audited; nothing written when it already is); the pollers re-read what they poll. */
  async setMonitored(deviceId: string, interfaceId: string, monitored: boolean, ctx: ChangeContext): Promise<DeviceInterface> {
    let changed = false;
    const out = await this.ds.transaction(async (m) => {
      const { path: place } = await this.devices.writablePlace(deviceId, ctx.scope, m);
      const repo = m.getRepository(DeviceInterface);
      const before = await repo.createQueryBuilder('i').setLock('pessimistic_write').where('i.id = :interfaceId AND i.device_id = :deviceId', { interfaceId, deviceId }).getOne();
      if (!before) throw InventoryError.notFound('interface', interfaceId);
      if (before.goneAt !== null && monitored) {
        throw InventoryError.invalid('The interface is gone', [{ field: 'monitored', message: `${before.name} left the device's interface list on ${before.goneAt.toISOString()}: it cannot be polled` }]);
      }
      if (before.monitored === monitored) return before;
      await repo.update({ id: interfaceId }, { monitored });
      const after = { ...before, monitored };
      const view = (i: DeviceInterface) => ({ deviceId: i.deviceId, ifIndex: i.ifIndex, name: i.name, monitored: i.monitored });
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'device_interface', entityId: interfaceId, before: view(before), after: view(after), place }]);
      changed = true;
      return after;
    });
    if (changed) this.profiles.notifyChanged();
    return out;
  }
}
