import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, type ChangeContext, DevicesService, type FieldProblem, InventoryError, type Scope } from '@app/inventory';
import { SnmpProfile } from './entities';
import type { PutSnmpProfile } from './polling.dto';
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
    return view(p);
  }

  async put(deviceId: string, body: PutSnmpProfile, ctx: ChangeContext): Promise<SnmpProfileView> {
    const saved = await this.ds.transaction(async (m) => {
      const { record: device, path: place } = await this.devices.writablePlace(deviceId, ctx.scope, m);
      const repo = m.getRepository(SnmpProfile);
      const before = await repo.findOneBy({ deviceId });
      const sameVersion = before?.version === body.version;
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
      if (body.version === '2c') {
        for (const f of ['user', 'authProtocol', 'authKey', 'privProtocol', 'privKey'] as const) {
          if (body[f] !== undefined) problems.push({ field: f, message: `${f} is for SNMPv3; a v2c profile takes a community` });
        }
        if (body.community) p.communitySecret = this.secrets.seal(body.community);
        else if (!sameVersion || !before?.communitySecret) problems.push({ field: 'community', message: 'a v2c profile needs a community' });
        Object.assign(p, { v3User: null, authProtocol: null, authKeySecret: null, privProtocol: null, privKeySecret: null });
      } else {
        if (body.community !== undefined) problems.push({ field: 'community', message: 'community is for v2c; an SNMPv3 profile takes user, authProtocol and authKey' });
        p.communitySecret = null;
        p.v3User = body.user ?? (sameVersion ? before!.v3User : null);
        p.authProtocol = body.authProtocol ?? (sameVersion ? before!.authProtocol : null);
        if (!p.v3User) problems.push({ field: 'user', message: 'an SNMPv3 profile needs a user' });
        if (!p.authProtocol) problems.push({ field: 'authProtocol', message: 'an SNMPv3 profile needs an authProtocol (authNoPriv or authPriv; noAuthNoPriv is not accepted)' });
        if (body.authKey) p.authKeySecret = this.secrets.seal(body.authKey);
        else if (!sameVersion || !before?.authKeySecret) problems.push({ field: 'authKey', message: 'an SNMPv3 profile needs an authKey' });
        if (body.privProtocol === null) {
          if (body.privKey !== undefined) problems.push({ field: 'privKey', message: 'privKey given with privProtocol null' });
          p.privProtocol = null;
          p.privKeySecret = null;
        } else if (body.privProtocol !== undefined || body.privKey !== undefined) {
          p.privProtocol = body.privProtocol ?? (sameVersion ? before!.privProtocol : null);
          if (!p.privProtocol) problems.push({ field: 'privProtocol', message: 'privKey needs a privProtocol' });
          if (body.privKey) p.privKeySecret = this.secrets.seal(body.privKey);
          else if (!sameVersion || !before?.privKeySecret) problems.push({ field: 'privKey', message: 'privProtocol needs a privKey' });
        } else if (!sameVersion) {
          p.privProtocol = null;
          p.privKeySecret = null;
        }
      }
      if (problems.length > 0) throw InventoryError.invalid('The SNMP profile is not valid', problems);
      const after = await repo.save(p);
      await this.audit.record(m, ctx, [{ action: before ? 'update' : 'create', entityType: 'snmp_profile', entityId: deviceId, before: before ? view(before) : null, after: view(after), place }]);
      return after;
    });
    for (const listener of this.listeners) listener();
    return view(saved);
  }

  async remove(deviceId: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const { path: place } = await this.devices.writablePlace(deviceId, ctx.scope, m);
      const before = await m.getRepository(SnmpProfile).findOneBy({ deviceId });
      if (!before) throw InventoryError.notFound('SNMP profile of device', deviceId);
      await m.getRepository(SnmpProfile).delete({ deviceId });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'snmp_profile', entityId: deviceId, before: view(before), after: null, place }]);
    });
    for (const listener of this.listeners) listener();
  }
}

function view(p: SnmpProfile): SnmpProfileView {
  return {
    deviceId: p.deviceId,
    version: p.version,
    user: p.v3User,
    authProtocol: p.authProtocol,
    privProtocol: p.privProtocol,
    securityLevel: p.version === '2c' ? 'community' : p.privProtocol ? 'authPriv' : 'authNoPriv',
    hasCommunity: p.communitySecret !== null && p.communitySecret !== undefined,
    hasAuthKey: !!p.authKeySecret,
    hasPrivKey: !!p.privKeySecret,
    port: p.port,
    timeoutMs: p.timeoutMs,
    retries: p.retries,
    intervalSeconds: p.intervalSeconds,
    enabled: p.enabled,
    pollerGroup: p.pollerGroup,
    updatedAt: p.updatedAt,
  };
}
