import { Body, Controller, Delete, Get, Header, HttpCode, Inject, Optional, Param, ParseUUIDPipe, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  agencyWithinSql,
  AgenciesService,
  AN_OBJECT,
  AuditLog,
  Caller,
  CallerScope,
  Change,
  type ChangeContext,
  DevicesService,
  type FieldProblem,
  Input,
  InventoryError,
  InventoryErrorCode,
  likeEscape,
  ListQuery,
  type Page,
  paginate,
  Permission,
  type Principal,
  Requires,
  Returns,
  schemaRef,
  type Scope,
} from '@app/inventory';
import { AvailabilityService } from './availability.service';
import { DeviceInterface, DevicePollState, InterfaceEvent, MaintenanceWindow, Outage } from './entities';
import { SharedPollMemory } from './distributed-poller';
import { Poller } from './poller';
import { PollingMetrics } from './polling-metrics';
import { InterfacesService } from './interfaces.service';
import { neighboursOf, proposedLinks } from './neighbours';
import { AvailabilityQuery, CreateMaintenanceWindow, InterfaceQuery, UpdateInterface, MaintenanceWindowQuery, OutageQuery, MAX_WINDOW_DAYS, PutSnmpProfile, TargetsQuery, WindowQuery } from './polling.dto';
import { SnmpProfilesService } from './snmp-profiles.service';
import { PollListings, PollResults, RemotePollResults } from './poll-results';
import { pollStateOf, PollingStore } from './polling-store';

const uuid = new ParseUUIDPipe({ version: undefined });

function window(q: { from?: string; to?: string }): { from: Date; to: Date } {
  const from = new Date(q.from ?? 0);
  const to = q.to ? new Date(q.to) : new Date();
  if (to <= from) throw InventoryError.invalid('The window is empty', [{ field: 'to', message: 'to must be after from' }]);
  return { from, to };
}

const COUNT = { type: 'integer' };
const NEIGHBOUR_MATCH = {
  type: 'object',
  nullable: true,
  required: ['deviceId', 'name', 'by'],
  properties: { deviceId: { type: 'string', format: 'uuid' }, name: { type: 'string', nullable: true }, by: { type: 'string', enum: ['managementAddress', 'sysName'] } },
};
const LINK_END = { type: 'object', required: ['deviceId', 'name', 'port'], properties: { deviceId: { type: 'string', format: 'uuid' }, name: { type: 'string', nullable: true }, port: { type: 'string', nullable: true } } };
const PROPOSED_LINK = {
  type: 'object',
  required: ['a', 'b', 'heardBy', 'lastSeenAt'],
  properties: { a: LINK_END, b: LINK_END, heardBy: { type: 'string', enum: ['both', 'a'], description: 'both: each end hears the other; a: only a hears b' }, lastSeenAt: { type: 'string', format: 'date-time' } },
};
const SECONDS = { type: 'number' };
/** GET /devices/{id}/availability: the window and the device's time in each state. */
const DEVICE_AVAILABILITY_SCHEMA = {
  type: 'object',
  required: ['deviceId', 'from', 'to', 'upSeconds', 'downSeconds', 'unknownSeconds', 'maintenanceSeconds', 'availabilityPercent'],
  properties: {
    deviceId: { type: 'string', format: 'uuid' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    upSeconds: SECONDS,
    downSeconds: SECONDS,
    unknownSeconds: { ...SECONDS, description: 'Time nobody watched the device' },
    maintenanceSeconds: SECONDS,
    availabilityPercent: { type: 'number', nullable: true, description: 'up / (up + down); null when no time is known' },
  },
};
/** GET /poller/state, field by field (the console's fleet page is typed from it). */
const FLEET_SCHEMA = {
  type: 'object',
  required: ['devices', 'openOutages', 'down', 'pollers', 'inProcessPoller', 'resultsWriter'],
  properties: {
    devices: { type: 'object', required: ['up', 'down', 'refused', 'unresolved', 'unknown'], properties: { up: COUNT, down: COUNT, refused: COUNT, unresolved: COUNT, unknown: COUNT } },
    openOutages: { type: 'object', additionalProperties: COUNT, description: 'Open outages by cause' },
    down: {
      type: 'array',
      items: {
        type: 'object',
        required: ['deviceId', 'name', 'kind', 'model', 'serialNumber', 'managementAddress', 'port', 'since', 'lastFailure', 'lastFailureMessage'],
        properties: {
          deviceId: { type: 'string', format: 'uuid' },
          name: { type: 'string', nullable: true },
          kind: { type: 'string' },
          model: { type: 'string', nullable: true },
          serialNumber: { type: 'string', nullable: true },
          managementAddress: { type: 'string', nullable: true },
          port: COUNT,
          since: { type: 'string', format: 'date-time' },
          lastFailure: { type: 'string', nullable: true, enum: ['timeout', 'auth', 'malformed', 'socket', 'unreachable', 'agent_error', 'invalid_target', 'unresolved', null] },
          lastFailureMessage: { type: 'string', nullable: true },
        },
      },
    },
    pollers: { type: 'array', nullable: true, items: { type: 'object', additionalProperties: true } },
    inProcessPoller: { type: 'object', nullable: true, additionalProperties: true },
    resultsWriter: { type: 'object', nullable: true, additionalProperties: true },
  },
};

@ApiTags('polling')
@Controller('devices/:id')
export class DevicePollingController {
  constructor(
    private readonly profiles: SnmpProfilesService,
    private readonly availability: AvailabilityService,
    private readonly devices: DevicesService,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly remote: RemotePollResults,
    private readonly interfaceMarks: InterfacesService,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
    @Optional() @Inject(SharedPollMemory) private readonly shared?: SharedPollMemory,
  ) {}

  @Get('snmp')
  @Returns(AN_OBJECT, 'The device\'s SNMP profile, its secrets never shown')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'The SNMP profile of a device (secrets are never returned: hasCommunity, hasAuthKey, hasPrivKey say which are set)' })
  getProfile(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.profiles.get(id, scope);
  }

  @Put('snmp')
  @Returns(AN_OBJECT, 'The profile as stored, its secrets never shown')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Create or replace the SNMP profile; omitted secrets keep their stored values' })
  putProfile(@Param('id', uuid) id: string, @Body(new Input(PutSnmpProfile)) body: PutSnmpProfile, @Change() ctx: ChangeContext) {
    return this.profiles.put(id, body, ctx);
  }

  @Delete('snmp')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  removeProfile(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.profiles.remove(id, ctx);
  }

  @Get('poll-state')
  @Returns({ allOf: [schemaRef('DevicePollState'), { type: 'object', properties: { polledAt: { type: 'string', format: 'date-time', nullable: true, description: 'The last poll, answered or not' } } }] }, 'The device\'s state (up, down, refused, unresolved), since when, and its last poll')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'The latest poll of a device: state, since when, uptime, interfaces' })
  async pollState(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    await this.devices.get(id, scope);
    const live = this.poller?.state(id);
    const row = await this.ds.getRepository(DevicePollState).findOneBy({ deviceId: id });
    if (!row && !live) throw InventoryError.notFound('poll state of device', id);
    // The in-process poller's memory is newer than the row, which is written only on change.
    // polledAt: the last poll, answered or not: this process's own poller, results a remote poller
    // sent, or the memory BullMQ workers keep in Redis; the row keeps the last one that changed something.
    const group = this.shared ? ((await this.ds.query(`SELECT poller_group AS "group" FROM snmp_profile WHERE device_id = $1`, [id])) as Array<{ group: string }>)[0]?.group : undefined;
    const shared = group ? await this.shared!.polledAt(group, id) : null;
    const seen = Math.max(live?.polledAt ?? 0, this.remote.lastPolledAt(id) ?? 0, shared ?? 0, row?.polledAt.getTime() ?? 0);
    const polledAt = seen > 0 ? new Date(seen) : null;
    return { ...row, ...(live ? pollStateOf(live, live.polledAt ?? Date.now()) : {}), polledAt, deviceId: id };
  }

  @Get('interfaces')
  @Returns(schemaRef('DeviceInterfacePage'), 'A page of the interfaces, by ifIndex')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: "The device's interfaces as IF-MIB lists them (read at its first answer, then hourly): name, alias, type, speed, admin and oper status as words; ?gone=true adds those that left the list" })
  async interfaces(@Param('id', uuid) id: string, @Query(new Input(InterfaceQuery)) q: InterfaceQuery, @CallerScope() scope: Scope): Promise<Page<DeviceInterface>> {
    await this.devices.get(id, scope);
    const qb = this.ds.getRepository(DeviceInterface).createQueryBuilder('i').where('i.device_id = :id', { id });
    if (q.gone !== 'true') qb.andWhere('i.gone_at IS NULL');
    return paginate(qb, q, { fields: { ifIndex: '"i"."if_index"', name: '"i"."name"' }, default: 'ifIndex' }, '"i"');
  }

  @Patch('interfaces/:interfaceId')
  @Returns(schemaRef('DeviceInterface'), 'The interface as it now is')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Mark an interface monitored (an uplink, a data-centre port) or not: polled with the device, its going down an outage of it. Interfaces that carry a WAN link are polled whatever this says.' })
  setInterface(@Param('id', uuid) id: string, @Param('interfaceId', uuid) interfaceId: string, @Body(new Input(UpdateInterface)) body: UpdateInterface, @Change() ctx: ChangeContext) {
    return this.interfaceMarks.setMonitored(id, interfaceId, body.monitored, ctx);
  }

  @Get('neighbours')
  @Returns({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: { allOf: [schemaRef('DeviceNeighbour'), { type: 'object', required: ['match'], properties: { match: NEIGHBOUR_MATCH } }] } } } }, 'The neighbours, by local port')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'What the device hears over LLDP (read with its interface list, hourly): on which port, the neighbour\'s sysName, chassis, port and management address, and the registered device it is (by management address, else name = sysName)' })
  async neighbours(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    await this.devices.get(id, scope);
    return { items: await neighboursOf(this.ds, id, (column, params) => agencyWithinSql(scope, column, params)) };
  }

  @Get('interface-events')
  @Returns(schemaRef('InterfaceEventPage'), 'A page of the changes, latest first')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: "Changes in the device's interface list: appeared, disappeared, renamed (previous: the old name), renumbered (previous: the old ifIndex)" })
  async interfaceEvents(@Param('id', uuid) id: string, @Query(new Input(ListQuery)) q: ListQuery, @CallerScope() scope: Scope): Promise<Page<InterfaceEvent>> {
    await this.devices.get(id, scope);
    const qb = this.ds.getRepository(InterfaceEvent).createQueryBuilder('e').where('e.device_id = :id', { id });
    return paginate(qb, q, { fields: { at: '"e"."at"', id: '"e"."id"' }, default: '-id' }, '"e"');
  }

  @Get('outages')
  @Returns(schemaRef('OutagePage'), 'A page of the outages, latest first')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'The outage history of a device, newest first; ?from=&to= limits it to a window' })
  async outages(@Param('id', uuid) id: string, @Query(new Input(OutageQuery)) q: OutageQuery, @CallerScope() scope: Scope): Promise<Page<Outage>> {
    const { from, to } = window(q);
    await this.devices.get(id, scope);
    const qb = this.ds
      .getRepository(Outage)
      .createQueryBuilder('o')
      .where('o.device_id = :id', { id })
      .andWhere('o.started_at < :to AND (o.ended_at IS NULL OR o.ended_at > :from)', { from, to });
    return paginate(qb, q, { fields: { startedAt: '"o"."started_at"' }, default: '-startedAt' }, '"o"');
  }

  @Get('availability')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Up, down, unknown and maintenance time of a device over a window' })
  @Returns(DEVICE_AVAILABILITY_SCHEMA, 'Up, down, unknown and maintenance seconds, and the availability')
  async deviceAvailability(@Param('id', uuid) id: string, @Query(new Input(WindowQuery)) q: WindowQuery, @CallerScope() scope: Scope) {
    const { from, to } = window(q);
    const ids = await this.availability.devicesOf({ deviceId: id }, scope);
    if (ids.length === 0) throw InventoryError.notFound('device', id);
    const report = await this.availability.forDevices(ids, from, to);
    return { ...report.devices[0], from: report.from, to: report.to };
  }
}

@ApiTags('polling')
@Controller()
export class PollingController {
  constructor(
    private readonly availability: AvailabilityService,
    private readonly audit: AuditLog,
    private readonly devices: DevicesService,
    private readonly agencies: AgenciesService,
    private readonly store: PollingStore,
    private readonly results: RemotePollResults,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly metrics: PollingMetrics,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
  ) {}

  @Get('availability')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Availability of a set of devices (a device, an agency, a data centre) over a window, per device and in total; only devices within your scope count' })
  @Returns(AN_OBJECT, 'Availability per device and in total')
  async setAvailability(@Query(new Input(AvailabilityQuery)) q: AvailabilityQuery, @CallerScope() scope: Scope) {
    const { from, to } = window(q);
    if (!q.deviceId && !q.agencyId && !q.dataCentre) {
      throw InventoryError.invalid('Which devices?', [{ field: 'deviceId', message: 'give deviceId, agencyId or dataCentre' }]);
    }
    return this.availability.forDevices(await this.availability.devicesOf(q, scope), from, to);
  }

  @Get('poller/state')
  @Returns(FLEET_SCHEMA, 'The fleet: devices by state, those down with since when and why, open outages by cause, pollers running')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'The fleet within your scope: devices polled, how many are up and down, which are down and since when (pollers: whole-country tokens only)' })
  async fleet(@CallerScope() scope: Scope) {
    const params: unknown[] = [];
    const within = agencyWithinSql(scope, 'd.agency_id', params);
    const rows: Array<{ state: string; n: string }> = await this.ds.query(
      `SELECT COALESCE(s.state, 'unknown') AS state, count(*) AS n FROM snmp_profile p JOIN device d ON d.id = p.device_id LEFT JOIN device_poll_state s ON s.device_id = p.device_id
        WHERE p.enabled AND ${within} GROUP BY 1`,
      params,
    );
    const down = await this.ds.query(
      `SELECT s.device_id AS "deviceId", d.name, d.kind, d.model, d.serial_number AS "serialNumber", d.management_address AS "managementAddress", p.port, s.since, s.last_failure AS "lastFailure", s.last_failure_message AS "lastFailureMessage"
         FROM device_poll_state s JOIN device d ON d.id = s.device_id JOIN snmp_profile p ON p.device_id = s.device_id
        WHERE p.enabled AND s.state = 'down' AND ${within} ORDER BY s.since LIMIT 1000`,
      params,
    );
    const openOutages: Array<{ cause: string; n: string }> = await this.ds.query(
      `SELECT o.cause, count(*) AS n FROM outage o JOIN device d ON d.id = o.device_id WHERE o.ended_at IS NULL AND ${within} GROUP BY o.cause`,
      params,
    );
    const national = scope.kind === 'country';
    const runs = national
      ? await this.ds.query(`SELECT id, poller_group AS "pollerGroup", host, started_at AS "startedAt", last_beat_at AS "lastBeatAt" FROM poller_run WHERE stopped_at IS NULL ORDER BY started_at DESC LIMIT 100`)
      : null;
    return {
      devices: Object.fromEntries(['up', 'down', 'refused', 'unresolved', 'unknown'].map((s) => [s, Number(rows.find((r) => r.state === s)?.n ?? 0)])),
      openOutages: Object.fromEntries(openOutages.map((o) => [o.cause, Number(o.n)])),
      down,
      pollers: runs,
      inProcessPoller: this.poller && national ? { scheduled: this.poller.scheduled, snmp: this.poller.client.stats() } : null,
      // Whether this process's poll results reach the database, and the last ones it refused (whole-country tokens).
      resultsWriter: national ? { ...this.metrics.writer, failingSince: this.metrics.writer.failingSince === null ? null : new Date(this.metrics.writer.failingSince).toISOString() } : null,
    };
  }

  @Get('poller/targets')
  @Returns(AN_OBJECT, 'A page of targets: group, items, total, next')
  @Requires(Permission.PollerTargets)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'For poller tokens only: the SNMP targets of a poller group within the token\'s scope, with their secrets, in pages by device id',
    description: 'The only route that returns SNMP secrets. Page with `after` (the last deviceId of the previous page) and `limit` (at most 5,000).',
  })
  async targets(@CallerScope() scope: Scope, @Query(new Input(TargetsQuery)) q: TargetsQuery) {
    const all = (await this.store.targets(q.group ?? 'default', scope)).sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
    const from = q.after ? all.findIndex((t) => t.deviceId > q.after!) : 0;
    const items = (from < 0 ? [] : all.slice(from, from + (q.limit ?? 1000))).map(({ fingerprint: _f, ...t }) => t);
    return { group: q.group ?? 'default', items, total: all.length, next: from >= 0 && from + items.length < all.length ? items[items.length - 1].deviceId : null };
  }

  @Post('poller/results')
  @Returns(AN_OBJECT, 'How many results were applied')
  @Requires(Permission.PollerResults)
  @HttpCode(200)
  @ApiOperation({
    summary: 'For poller tokens: record poll results of devices within the token\'s scope (all or nothing)',
    description: 'A remote poller with no database access sends what each poll read, or why it failed; the API keeps the outage ledger from them as its own poller does.',
  })
  recordResults(@Body(new Input(PollResults)) body: PollResults, @Caller() caller: Principal) {
    return this.results.accept(body, caller);
  }

  @Post('poller/listings')
  @Returns(AN_OBJECT, 'How many devices\' listings were recorded')
  @Requires(Permission.PollerResults)
  @HttpCode(200)
  @ApiOperation({
    summary: 'For poller tokens: record the interface lists and LLDP neighbours a remote poller read, of devices within the token\'s scope (checked whole: one bad item refuses them all)',
    description: 'Read hourly by the poller, sent when they change: interfaces that appear, disappear or are renamed are recorded, and WAN links follow their interfaces by name, as with the API\'s own poller.',
  })
  recordListings(@Body(new Input(PollListings)) body: PollListings, @Caller() caller: Principal) {
    return this.results.acceptListings(body, caller);
  }

  @Get('neighbour-links')
  @Returns({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: PROPOSED_LINK } } }, 'The links LLDP proposes between registered devices')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Links between registered devices within your scope that LLDP proposes: which device hears which on which port, merged when both ends hear each other' })
  async neighbourLinks(@CallerScope() scope: Scope) {
    return { items: await proposedLinks(this.ds, (column, params) => agencyWithinSql(scope, column, params)) };
  }

  @Get('maintenance-windows')
  @Returns(schemaRef('MaintenanceWindowPage'), 'A page of the maintenance windows, latest first')
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'Maintenance windows of the devices and agencies within your scope, latest first' })
  async windows(@CallerScope() scope: Scope, @Query(new Input(MaintenanceWindowQuery)) q: MaintenanceWindowQuery): Promise<Page<MaintenanceWindow>> {
    const params: unknown[] = [];
    const device = agencyWithinSql(scope, '(SELECT d.agency_id FROM device d WHERE d.id = m.device_id)', params);
    const agency = agencyWithinSql(scope, 'm.agency_id', params);
    const qb = this.ds.getRepository(MaintenanceWindow).createQueryBuilder('m');
    if (q.deviceId) qb.andWhere('m.device_id = :deviceId', { deviceId: q.deviceId });
    if (q.agencyId) qb.andWhere('m.agency_id = :agencyId', { agencyId: q.agencyId });
    if (q.q) qb.andWhere('m.reason ILIKE :q', { q: `%${likeEscape(q.q)}%` });
    if (scope.kind !== 'country') {
      // The scope's ids, found first, then filtered by: the query builder's named parameters cannot take $n.
      const ids = new Set(
        ((await this.ds.query(`SELECT m.id FROM maintenance_window m WHERE (m.device_id IS NOT NULL AND ${device}) OR (m.agency_id IS NOT NULL AND ${agency})`, params)) as Array<{ id: string }>).map((r) => r.id),
      );
      qb.andWhere('m.id = ANY(:ids)', { ids: [...ids] });
    }
    return paginate(qb, q, { fields: { startsAt: '"m"."starts_at"', endsAt: '"m"."ends_at"' }, default: '-startsAt' }, '"m"');
  }

  @Post('maintenance-windows')
  @Returns(schemaRef('MaintenanceWindow'), 'The window declared', 201)
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Declare maintenance for a device or an agency within your scope: excluded from availability' })
  async declare(@Body(new Input(CreateMaintenanceWindow)) body: CreateMaintenanceWindow, @Change() ctx: ChangeContext) {
    const problems: FieldProblem[] = [];
    if (!body.deviceId === !body.agencyId) problems.push({ field: 'deviceId', message: 'give exactly one of deviceId and agencyId' });
    const span = new Date(body.endsAt).getTime() - new Date(body.startsAt).getTime();
    if (span <= 0) problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
    else if (span > MAX_WINDOW_DAYS * 86_400_000) problems.push({ field: 'endsAt', message: `a maintenance window lasts at most ${MAX_WINDOW_DAYS} days; retire or store a device out for longer` });
    if (problems.length) throw InventoryError.invalid('The maintenance window is not valid', problems);
    return this.ds.transaction(async (m) => {
      const place = await this.placeOf(body, ctx.scope, m);
      const saved = await m.getRepository(MaintenanceWindow).save({ deviceId: body.deviceId ?? null, agencyId: body.agencyId ?? null, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt), reason: body.reason });
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'maintenance_window', entityId: saved.id, before: null, after: { ...saved }, place }]);
      return saved;
    });
  }

  @Delete('maintenance-windows/:id')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    await this.ds.transaction(async (m) => {
      const before = await m.getRepository(MaintenanceWindow).findOneBy({ id });
      if (!before) throw InventoryError.notFound('maintenance window', id);
      // A window on a device or agency the caller cannot see does not exist for it either.
      const place = await this.placeOf({ deviceId: before.deviceId ?? undefined, agencyId: before.agencyId ?? undefined }, ctx.scope, m).catch((err: unknown) => {
        throw err instanceof InventoryError && err.code === InventoryErrorCode.NotFound ? InventoryError.notFound('maintenance window', id) : err;
      });
      await m.getRepository(MaintenanceWindow).delete({ id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'maintenance_window', entityId: id, before: { ...before }, after: null, place }]);
    });
  }

  /** The place of a window's device or agency, which the writer's scope must cover (404 or 403 otherwise). */
  private async placeOf(target: { deviceId?: string; agencyId?: string }, scope: Scope, m: EntityManager): Promise<string> {
    const { path } = target.deviceId ? await this.devices.writablePlace(target.deviceId, scope, m) : await this.agencies.writablePlace(target.agencyId!, scope, m);
    return path;
  }

}
