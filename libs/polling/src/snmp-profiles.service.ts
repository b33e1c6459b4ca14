import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, type ChangeContext, DevicesService, type FieldProblem, InventoryError, type Scope } from '@app/inventory';
import { SnmpProfile } from './entities';
import type { PutSnmpProfile } from './polling.dto';
import { applyCredentials, credentialsView } from './credentials';
import { SecretBox } from './secret-box';

/** What the API shows of a profile: which secrets are set, never the secrets. */
export interface SnmpProfileView {
  deviceId: string;
  version: '2c' | '3';
  user: string | null;
  authProtocol: string | null;
  privProtocol: string | null;
  securityLevel: 'community' | 'authNoPriv' | 'authPriv';
  hasCommunity: boolean;
  hasAuthKey: boolean;
  hasPrivKey: boolean;
  port: number;
  timeoutMs: number;
  retries: number;
  intervalSeconds: number;
  enabled: boolean;
  pollerGroup: string;
  updatedAt: Date;
}

@Injectable()
export class SnmpProfilesService {
  /** Told after every change: an in-process poller reloads at once, the trap listener re-reads its senders. */
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change of a profile (the poller reloads its devices, the trap listener its senders). */
  /** Tells the pollers that what they poll changed (a profile, an interface marked monitored). */
  notifyChanged(): void {
    for (const listener of this.listeners) listener();
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly audit: AuditLog,
    private readonly devices: DevicesService,
  ) {}

  async get(deviceId: string, scope: Scope): Promise<SnmpProfileView> {
    await this.devices.get(deviceId, scope);
    const p = await this.ds.getRepository(SnmpProfile).findOneBy({ deviceId });
    if (!p) throw InventoryError.notFound('SNMP profile of device', deviceId);
    return snmpProfileView(p);
  }

  async put(deviceId: string, body: PutSnmpProfile, ctx: ChangeContext): Promise<SnmpProfileView> {
    const saved = await this.ds.transaction(async (m) => {
      const { record: device, path: place } = await this.devices.writablePlace(deviceId, ctx.scope, m);
      const repo = m.getRepository(SnmpProfile);
      const before = await repo.findOneBy({ deviceId });
      const problems: FieldProblem[] = [];
      if (!device.managementAddress) {
        problems.push({ field: 'deviceId', message: 'the device needs a managementAddress (an IPv4 or IPv6 address, or a host name) before it can be polled' });
      }
      const p: SnmpProfile = Object.assign(new SnmpProfile(), before ?? {}, {
        deviceId,
        version: body.version,
        port: body.port ?? before?.port ?? 161,
        timeoutMs: body.timeoutMs ?? before?.timeoutMs ?? 2000,
        retries: body.retries ?? before?.retries ?? 1,
        intervalSeconds: body.intervalSeconds ?? before?.intervalSeconds ?? 300,
        enabled: body.enabled ?? before?.enabled ?? true,
        pollerGroup: body.pollerGroup ?? before?.pollerGroup ?? 'default',
      });
      applyCredentials(p, body, before, this.secrets, problems);
      if (problems.length > 0) throw InventoryError.invalid('The SNMP profile is not valid', problems);
      const after = await repo.save(p);
      await this.audit.record(m, ctx, [{ action: before ? 'update' : 'create', entityType: 'snmp_profile', entityId: deviceId, before: before ? snmpProfileView(before) : null, after: snmpProfileView(after), place }]);
      return after;
    });
    for (const listener of this.listeners) listener();
    return snmpProfileView(saved);
  }

  async remove(deviceId: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const { path: place } = await this.devices.writablePlace(deviceId, ctx.scope, m);
      const before = await m.getRepository(SnmpProfile).findOneBy({ deviceId });
      if (!before) throw InventoryError.notFound('SNMP profile of device', deviceId);
      await m.getRepository(SnmpProfile).delete({ deviceId });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'snmp_profile', entityId: deviceId, before: snmpProfileView(before), after: null, place }]);
    });
    for (const listener of this.listeners) listener();
  }
}

/** What the API and the audit log show of a profile: which secrets are set, never the secrets. */
export function snmpProfileView(p: SnmpProfile): SnmpProfileView {
  return {
    deviceId: p.deviceId,
    ...credentialsView(p),
    port: p.port,
    timeoutMs: p.timeoutMs,
    retries: p.retries,
    intervalSeconds: p.intervalSeconds,
    enabled: p.enabled,
    pollerGroup: p.pollerGroup,
    updatedAt: p.updatedAt,
  };
}
