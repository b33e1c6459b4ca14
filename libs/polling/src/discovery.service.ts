import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { agencyWithinSql, AuditLog, type ChangeContext, type CreateDevice, type Device, DevicesService, type FieldProblem, InventoryError, InventoryErrorCode } from '@app/inventory';
import { readChassis, readDevice, SnmpClient, SnmpError, type SnmpTarget, vendorOf } from '@app/snmp';
import { addressesOf, canonicalAddress, compareAddresses } from './address-range';
import { openCredentials } from './credentials';
import type { RegisterDiscovered, StartDiscovery } from './discovery.dto';
import { Discovery, type DiscoveryRequest, DiscoveryResult, SnmpCredential, SnmpProfile } from './entities';
import { SecretBox } from './secret-box';
import { SnmpCredentialsService } from './snmp-credentials.service';
import { snmpProfileView, SnmpProfilesService } from './snmp-profiles.service';

/** Discoveries running at once (each holds a socket and up to IN_FLIGHT requests). */
export const MAX_RUNNING = 2;
/** Addresses being probed at once within one discovery, whatever the rate. */
const IN_FLIGHT = 32;
/** How often a running discovery's counters are written (what GET shows of its progress). */
const PROGRESS_EVERY_MS = 1000;

export interface DiscoveryMatch {
  deviceId: string;
  name: string | null;
  agencyId: string;
  /** What matched: its serial number, its management address, its name against sysName. */
  by: Array<'serialNumber' | 'managementAddress' | 'sysName'>;
}

export type DiscoveryResultView = Omit<DiscoveryResult, 'discovery'> & { matches: DiscoveryMatch[] };
export type DiscoveryView = Discovery & { results?: DiscoveryResultView[] };

interface Running {
  cancelled: boolean;
  /** Stopped by the process stopping (or the database failing), not by a caller: state interrupted. */
  interrupted: boolean;
  done: Promise<void>;
}

/**
 * Sweeps a range or a list of addresses for SNMP agents with stored credentials, at a bounded
 * rate, in the background; keeps what answered; registers the devices an admin picks.
 */
@Injectable()
export class DiscoveryService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Discovery');
  private readonly running = new Map<string, Running>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly credentials: SnmpCredentialsService,
    private readonly devices: DevicesService,
    private readonly profiles: SnmpProfilesService,
    private readonly audit: AuditLog,
  ) {}

  /** A discovery left running by a process that stopped can never finish: say so. */
  async onModuleInit(): Promise<void> {
    await this.ds.query(`UPDATE discovery SET state = 'interrupted', finished_at = now() WHERE state = 'running'`).catch((error: { code?: string }) => {
      // A database not migrated yet has no such table: the process says so itself (the poller refuses to start).
      if (error.code !== '42P01') throw error;
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const r of this.running.values()) {
      r.cancelled = true;
      r.interrupted = true;
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  async start(body: StartDiscovery, ctx: ChangeContext): Promise<Discovery> {
    const problems: FieldProblem[] = [];
    let addresses: string[] = [];
    if ((body.cidr === undefined) === (body.addresses === undefined)) {
      problems.push({ field: 'cidr', message: 'give either cidr (a range, at most a /22) or addresses (a list), not both and not neither' });
    } else if (body.cidr !== undefined) {
      const range = addressesOf(body.cidr);
      if ('problem' in range) problems.push({ field: 'cidr', message: range.problem });
      else addresses = range.addresses;
    } else {
      addresses = [...new Set(body.addresses!.map(canonicalAddress))];
    }
    if (problems.length > 0) throw InventoryError.invalid('The discovery is not valid', problems);
    // The slot is taken before anything is awaited: two requests at once cannot both pass the bound.
    if (this.running.size >= MAX_RUNNING) {
      throw new InventoryError(InventoryErrorCode.Conflict, `${this.running.size} discoveries are running already (at most ${MAX_RUNNING} at once): wait for one to finish or cancel it`);
    }
    const id = randomUUID();
    const run: Running = { cancelled: false, interrupted: false, done: Promise.resolve() };
    this.running.set(id, run);
    let sealed: Map<string, SnmpCredential>;
    let discovery: Discovery;
    try {
      // Unknown names are refused here; the secrets stay sealed until the sweep opens them.
      sealed = await this.credentials.sealed(body.credentials, 'credentials');
      discovery = await this.record(id, body, addresses, ctx);
    } catch (error) {
      this.running.delete(id);
      throw error;
    }
    run.done = this.sweep(discovery, addresses, body.credentials.map((n) => sealed.get(n)!), run)
      .catch((e: Error) => this.log.error(`discovery ${discovery.id} failed: ${e.message}`))
      .finally(() => this.running.delete(discovery.id));
    return discovery;
  }

  private async record(id: string, body: StartDiscovery, addresses: string[], ctx: ChangeContext): Promise<Discovery> {
    const request: DiscoveryRequest = {
      cidr: body.cidr ?? null,
      addresses: body.addresses ? addresses : null,
      credentials: body.credentials,
      port: body.port ?? 161,
      timeoutMs: body.timeoutMs ?? 1000,
      retries: body.retries ?? 0,
      ratePerSecond: body.ratePerSecond ?? 50,
    };
    const discovery = Object.assign(new Discovery(), {
      id,
      requestedBy: ctx.actor,
      state: 'running',
      request,
      total: addresses.length,
      probed: 0,
      answered: 0,
      startedAt: new Date(),
      finishedAt: null,
    } satisfies Discovery);
    await this.ds.getRepository(Discovery).insert(discovery);
    return discovery;
  }

  /** Resolves when the discovery has stopped (tests, the shutdown). */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  async cancel(id: string, ctx: ChangeContext): Promise<Discovery> {
    const d = await this.visible(id, ctx);
    const run = this.running.get(id);
    if (d.state !== 'running' || !run) throw new InventoryError(InventoryErrorCode.Conflict, `Discovery ${id} is not running (it is ${d.state})`);
    run.cancelled = true;
    await run.done;
    return this.visible(id, ctx);
  }

  async list(ctx: ChangeContext, limit = 50): Promise<Discovery[]> {
    const qb = this.ds.getRepository(Discovery).createQueryBuilder('d').orderBy('d.started_at', 'DESC').limit(limit);
    if (ctx.scope.kind !== 'country') qb.where('d.requested_by = :me', { me: ctx.actor });
    return qb.getMany();
  }

  /** A discovery with every address that answered, each with the registered devices it matches (within the caller's scope). */
  async get(id: string, ctx: ChangeContext): Promise<DiscoveryView> {
    const d = await this.visible(id, ctx);
    // In address order (answers arrive in any order: an agent with ENTITY-MIB takes longer).
    const rows = (await this.ds.getRepository(DiscoveryResult).find({ where: { discoveryId: id } })).sort((a, b) => compareAddresses(a.address, b.address));
    const matches = await this.matches(rows, ctx);
    return { ...d, results: rows.map((r) => ({ ...r, matches: matches.get(r.address) ?? [] })) };
  }

  /**
   * Registers the picked addresses as devices of one agency, each with an SNMP profile made of the
   * credential that answered: all of them, or nothing and every problem.
   */
  async register(id: string, body: RegisterDiscovered, ctx: ChangeContext): Promise<Device[]> {
    const created = await this.ds.transaction(async (m) => {
      const d = await this.visible(id, ctx, m);
      const rows = new Map((await m.getRepository(DiscoveryResult).findBy({ discoveryId: id })).map((r) => [r.address, r]));
      const names = [...new Set([...rows.values()].flatMap((r) => (r.credentialName ? [r.credentialName] : [])))];
      const stored = new Map((names.length ? await m.getRepository(SnmpCredential).findBy({ name: In(names) }) : []).map((c) => [c.name, c]));
      const problems: FieldProblem[] = [];
      const seen = new Set<string>();
      const picked: Array<{ row: DiscoveryResult; credential: SnmpCredential }> = [];
      body.devices.forEach((item, i) => {
        const field = `devices[${i}].address`;
        const address = canonicalAddress(item.address);
        const row = rows.get(address);
        if (seen.has(address)) problems.push({ field, message: `${address} appears twice in this request` });
        else if (!row) problems.push({ field, message: `${address} did not answer discovery ${id}` });
        else if (row.outcome === 'refused') problems.push({ field, message: `${address} refused every credential tried (${row.problem}): there is no credential to poll it with` });
        else if (row.outcome === 'error') problems.push({ field, message: `${address} answered with an error (${row.problem}): there is no credential to poll it with` });
        else if (!stored.has(row.credentialName!)) problems.push({ field, message: `the credential "${row.credentialName}" that ${address} answered has been deleted since` });
        else picked.push({ row, credential: stored.get(row.credentialName!)! });
        seen.add(address);
      });
      if (problems.length > 0) throw InventoryError.invalid('The devices cannot be registered', problems);
      const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
      const inputs: CreateDevice[] = body.devices.map((item, i) => {
        const r = picked[i].row;
        return {
          agencyId: body.agencyId,
          kind: item.kind,
          name: item.name ?? r.sysName ?? r.address,
          serialNumber: r.serialNumber,
          model: r.model,
          manufacturer: r.manufacturer,
          managementAddress: r.address,
          ...(item.lanId ? { lanId: item.lanId } : {}),
          status: 'active',
          commissionedOn: item.commissionedOn ?? today,
        } as CreateDevice;
      });
      let devices: Device[];
      try {
        devices = await this.devices.write({ create: inputs }, ctx, m, { indexed: true });
      } catch (e) {
        // Each problem named by its item in this request: devices[2].serialNumber.
        if (e instanceof InventoryError) throw new InventoryError(e.code, e.code === InventoryErrorCode.Invalid ? 'The devices cannot be registered' : e.message, e.problems.map((p) => ({ ...p, field: p.field.replace(/^\[(\d+)\]/, 'devices[$1]') })));
        throw e;
      }
      const places = await this.devices.placesOf(devices, m);
      const profiles = devices.map((device, i) => {
        const c = picked[i].credential;
        return Object.assign(new SnmpProfile(), {
          deviceId: device.id,
          version: c.version,
          communitySecret: c.communitySecret,
          v3User: c.v3User,
          authProtocol: c.authProtocol,
          authKeySecret: c.authKeySecret,
          privProtocol: c.privProtocol,
          privKeySecret: c.privKeySecret,
          port: d.request.port,
          timeoutMs: 2000,
          retries: 1,
          intervalSeconds: body.intervalSeconds ?? 300,
          enabled: true,
          pollerGroup: body.pollerGroup ?? 'default',
        });
      });
      const saved = await m.getRepository(SnmpProfile).save(profiles);
      await this.audit.record(
        m,
        ctx,
        saved.map((p) => ({ action: 'create' as const, entityType: 'snmp_profile', entityId: p.deviceId, before: null, after: snmpProfileView(p), place: places.get(p.deviceId)?.path ?? null })),
      );
      return devices;
    });
    this.profiles.notifyChanged();
    return created;
  }

  private async visible(id: string, ctx: ChangeContext, m: EntityManager = this.ds.manager): Promise<Discovery> {
    const d = await m.getRepository(Discovery).findOneBy({ id });
    // Another admin's sweep does not exist for a caller with a narrower scope than the country.
    if (!d || (ctx.scope.kind !== 'country' && d.requestedBy !== ctx.actor)) throw InventoryError.notFound('Discovery', id);
    return d;
  }

  /** Registered devices (visible to the caller) with the serial, management address or name an answer gave. */
  private async matches(rows: DiscoveryResult[], ctx: ChangeContext): Promise<Map<string, DiscoveryMatch[]>> {
    const out = new Map<string, DiscoveryMatch[]>();
    if (rows.length === 0) return out;
    const serials = rows.flatMap((r) => (r.serialNumber ? [r.serialNumber] : []));
    const addresses = rows.map((r) => r.address);
    const sysNames = rows.flatMap((r) => (r.sysName ? [r.sysName.toLowerCase()] : []));
    const params: unknown[] = [serials, addresses, sysNames];
    const within = agencyWithinSql(ctx.scope, 'd.agency_id', params);
    const devices: Array<{ id: string; name: string | null; agencyId: string; serialNumber: string | null; managementAddress: string | null }> = await this.ds.query(
      `SELECT d.id, d.name, d.agency_id AS "agencyId", d.serial_number AS "serialNumber", d.management_address AS "managementAddress"
         FROM device d
        WHERE (d.serial_number = ANY($1) OR lower(d.management_address) = ANY($2) OR lower(d.name) = ANY($3)) AND ${within}`,
      params,
    );
    for (const r of rows) {
      const found: DiscoveryMatch[] = [];
      for (const dev of devices) {
        const by: DiscoveryMatch['by'] = [];
        if (r.serialNumber && dev.serialNumber === r.serialNumber) by.push('serialNumber');
        if (dev.managementAddress?.toLowerCase() === r.address) by.push('managementAddress');
        if (r.sysName && dev.name?.toLowerCase() === r.sysName.toLowerCase()) by.push('sysName');
        if (by.length > 0) found.push({ deviceId: dev.id, name: dev.name, agencyId: dev.agencyId, by });
      }
      if (found.length > 0) out.set(r.address, found);
    }
    return out;
  }

  /** Probes each address at the discovery's rate, IN_FLIGHT at most at once, writing what answered as it comes. */
  private async sweep(discovery: Discovery, addresses: string[], credentials: SnmpCredential[], run: Running): Promise<void> {
    const { request } = discovery;
    const client = new SnmpClient({ sockets: 1, maxInFlight: IN_FLIGHT * credentials.length, sessionCacheSize: IN_FLIGHT * credentials.length * 2 });
    const opened = credentials.map((c) => ({ name: c.name, credentials: openCredentials(c, this.secrets) }));
    const gapMs = 1000 / request.ratePerSecond;
    const started = Date.now();
    let probed = 0;
    let answered = 0;
    let written = Date.now();
    const inFlight = new Set<Promise<void>>();
    let failure: Error | null = null;
    const progress = async (force: boolean) => {
      if (!force && Date.now() - written < PROGRESS_EVERY_MS) return;
      written = Date.now();
      await this.ds.getRepository(Discovery).update({ id: discovery.id }, { probed, answered });
    };
    try {
      for (let i = 0; i < addresses.length && !run.cancelled; i++) {
        // The i-th address begins no sooner than i / rate seconds after the start.
        const wait = started + i * gapMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
        if (run.cancelled) break;
        const address = addresses[i];
        const p: Promise<void> = this.probe(client, discovery.id, address, request, opened)
          .then(async (row) => {
            probed++;
            if (row) {
              if (row.outcome === 'answered') answered++;
              await this.ds.getRepository(DiscoveryResult).insert(row);
            }
            await progress(false);
          })
          // A result that cannot be written stops the sweep (no promise is left to reject unheard).
          .catch((error: Error) => {
            failure ??= error;
            run.cancelled = true;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
      if (failure) throw failure;
    } catch (error) {
      run.interrupted = true;
      throw error;
    } finally {
      await client.close();
      const state = run.interrupted ? 'interrupted' : run.cancelled ? 'cancelled' : 'done';
      await this.ds.getRepository(Discovery).update({ id: discovery.id }, { probed, answered, state, finishedAt: new Date() });
    }
  }

  /** Tries each credential in turn until one answers; null when nothing answered at all. */
  private async probe(client: SnmpClient, discoveryId: string, address: string, request: DiscoveryRequest, credentials: Array<{ name: string; credentials: SnmpTarget['credentials'] }>): Promise<DiscoveryResult | null> {
    const refusedBy: string[] = [];
    let error: string | null = null;
    for (const c of credentials) {
      const target: SnmpTarget = { key: `${discoveryId}|${address}|${c.name}`, address, port: request.port, timeoutMs: request.timeoutMs, retries: request.retries, credentials: c.credentials };
      try {
        const r = await readDevice(client, target, [], true);
        // The chassis is a courtesy: an agent without ENTITY-MIB (or one that fails it) still answered.
        const chassis = await readChassis(client, target).catch(() => null);
        return Object.assign(new DiscoveryResult(), {
          discoveryId,
          address,
          outcome: 'answered' as const,
          credentialName: c.name,
          problem: null,
          sysName: r.sysName,
          sysDescr: r.sysDescr,
          sysObjectId: r.sysObjectID,
          sysLocation: r.sysLocation ?? null,
          // Cut to what a device record holds.
          manufacturer: (chassis?.manufacturer ?? vendorOf(r.sysObjectID))?.slice(0, 200) ?? null,
          model: chassis?.model?.slice(0, 200) ?? null,
          serialNumber: chassis?.serialNumber?.slice(0, 100) ?? null,
          probedAt: new Date(),
        });
      } catch (e) {
        if (!(e instanceof SnmpError)) throw e;
        if (e.reason === 'auth') refusedBy.push(c.name);
        else if (e.reason !== 'timeout') error = `${e.reason}: ${e.message}`.slice(0, 300);
      } finally {
        client.forget(target.key);
      }
    }
    if (refusedBy.length === 0 && error === null) return null;
    return Object.assign(new DiscoveryResult(), {
      discoveryId,
      address,
      outcome: refusedBy.length > 0 ? ('refused' as const) : ('error' as const),
      credentialName: null,
      problem: refusedBy.length > 0 ? `refused ${refusedBy.map((n) => `"${n}"`).join(', ')}` : error,
      sysName: null,
      sysDescr: null,
      sysObjectId: null,
      sysLocation: null,
      manufacturer: null,
      model: null,
      serialNumber: null,
      probedAt: new Date(),
    });
  }
}
