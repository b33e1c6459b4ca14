import { Body, Controller, Delete, Get, HttpCode, Inject, Optional, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, Change, type ChangeContext, type FieldProblem, Input, InventoryError } from '@app/inventory';
import { AvailabilityService } from './availability.service';
import { DevicePollState, MaintenanceWindow, Outage } from './entities';
import { Poller } from './poller';
import { AvailabilityQuery, CreateMaintenanceWindow, PutSnmpProfile, WindowQuery } from './polling.dto';
import { SnmpProfilesService } from './snmp-profiles.service';
import { pollStateOf } from './polling-store';

const uuid = new ParseUUIDPipe({ version: undefined });

function window(q: WindowQuery): { from: Date; to: Date } {
  const from = new Date(q.from);
  const to = q.to ? new Date(q.to) : new Date();
  if (to <= from) throw InventoryError.invalid('The window is empty', [{ field: 'to', message: 'to must be after from' }]);
  return { from, to };
}

@ApiTags('polling')
@Controller('devices/:id')
export class DevicePollingController {
  constructor(
    private readonly profiles: SnmpProfilesService,
    private readonly availability: AvailabilityService,
    @InjectDataSource() private readonly ds: DataSource,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
  ) {}

  @Get('snmp')
  @ApiOperation({ summary: 'The SNMP profile of a device (secrets are never returned: hasCommunity, hasAuthKey, hasPrivKey say which are set)' })
  getProfile(@Param('id', uuid) id: string) {
    return this.profiles.get(id);
  }

  @Put('snmp')
  @ApiOperation({ summary: 'Create or replace the SNMP profile; omitted secrets keep their stored values' })
  putProfile(@Param('id', uuid) id: string, @Body(new Input(PutSnmpProfile)) body: PutSnmpProfile, @Change() ctx: ChangeContext) {
    return this.profiles.put(id, body, ctx);
  }

  @Delete('snmp')
  @HttpCode(204)
  removeProfile(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.profiles.remove(id, ctx);
  }

  @Get('poll-state')
  @ApiOperation({ summary: 'The latest poll of a device: state, since when, uptime, interfaces' })
  async pollState(@Param('id', uuid) id: string) {
    const live = this.poller?.state(id);
    const row = await this.ds.getRepository(DevicePollState).findOneBy({ deviceId: id });
    if (!row && !live) throw InventoryError.notFound('poll state of device', id);
    // The in-process poller's memory is newer than the row, which is written only on change.
    return { ...row, ...(live ? pollStateOf(live, row?.polledAt.getTime() ?? Date.now()) : {}), ...(row ? { polledAt: row.polledAt } : {}), deviceId: id };
  }

  @Get('outages')
  @ApiOperation({ summary: 'The outage history of a device, newest first; ?from=&to= limits it to a window' })
  async outages(@Param('id', uuid) id: string, @Query(new Input(WindowQuery)) q: WindowQuery) {
    const { from, to } = window(q);
    const items = await this.ds
      .getRepository(Outage)
      .createQueryBuilder('o')
      .where('o.device_id = :id', { id })
      .andWhere('o.started_at < :to AND (o.ended_at IS NULL OR o.ended_at > :from)', { from, to })
      .orderBy('o.started_at', 'DESC')
      .limit(1000)
      .getMany();
    return { items, total: items.length };
  }

  @Get('availability')
  @ApiOperation({ summary: 'Up, down, unknown and maintenance time of a device over a window' })
  async deviceAvailability(@Param('id', uuid) id: string, @Query(new Input(WindowQuery)) q: WindowQuery) {
    const { from, to } = window(q);
    const ids = await this.availability.devicesOf({ deviceId: id });
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
    @InjectDataSource() private readonly ds: DataSource,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
  ) {}

  @Get('availability')
  @ApiOperation({ summary: 'Availability of a set of devices (a device, an agency, a data centre) over a window, per device and in total' })
  async setAvailability(@Query(new Input(AvailabilityQuery)) q: AvailabilityQuery) {
    const { from, to } = window(q);
    if (!q.deviceId && !q.agencyId && !q.dataCentre) {
      throw InventoryError.invalid('Which devices?', [{ field: 'deviceId', message: 'give deviceId, agencyId or dataCentre' }]);
    }
    return this.availability.forDevices(await this.availability.devicesOf(q), from, to);
  }

  @Get('poller/state')
  @ApiOperation({ summary: 'The fleet: devices polled, how many are up and down, which are down and since when' })
  async fleet() {
    const rows: Array<{ state: string; n: string }> = await this.ds.query(
      `SELECT COALESCE(s.state, 'unknown') AS state, count(*) AS n FROM snmp_profile p LEFT JOIN device_poll_state s ON s.device_id = p.device_id WHERE p.enabled GROUP BY 1`,
    );
    const down = await this.ds.query(
      `SELECT s.device_id AS "deviceId", d.name, d.management_address AS "managementAddress", s.since, s.last_failure AS "lastFailure", s.last_failure_message AS "lastFailureMessage"
         FROM device_poll_state s JOIN device d ON d.id = s.device_id JOIN snmp_profile p ON p.device_id = s.device_id
        WHERE p.enabled AND s.state = 'down' ORDER BY s.since LIMIT 1000`,
    );
    const openOutages: Array<{ cause: string; n: string }> = await this.ds.query(`SELECT cause, count(*) AS n FROM outage WHERE ended_at IS NULL GROUP BY cause`);
    const runs = await this.ds.query(`SELECT id, poller_group AS "pollerGroup", host, started_at AS "startedAt", last_beat_at AS "lastBeatAt" FROM poller_run WHERE stopped_at IS NULL ORDER BY started_at DESC LIMIT 100`);
    return {
      devices: Object.fromEntries(['up', 'down', 'unknown'].map((s) => [s, Number(rows.find((r) => r.state === s)?.n ?? 0)])),
      openOutages: Object.fromEntries(openOutages.map((o) => [o.cause, Number(o.n)])),
      down,
      pollers: runs,
      inProcessPoller: this.poller ? { scheduled: this.poller.scheduled, snmp: this.poller.client.stats() } : null,
    };
  }

  @Get('maintenance-windows')
  async windows(@Query('deviceId') deviceId?: string, @Query('agencyId') agencyId?: string) {
    const qb = this.ds.getRepository(MaintenanceWindow).createQueryBuilder('m').orderBy('m.starts_at', 'DESC').limit(1000);
    if (deviceId) qb.andWhere('m.device_id = :deviceId', { deviceId });
    if (agencyId) qb.andWhere('m.agency_id = :agencyId', { agencyId });
    const items = await qb.getMany();
    return { items, total: items.length };
  }

  @Post('maintenance-windows')
  @ApiOperation({ summary: 'Declare maintenance for a device or an agency: excluded from availability' })
  async declare(@Body(new Input(CreateMaintenanceWindow)) body: CreateMaintenanceWindow, @Change() ctx: ChangeContext) {
    const problems: FieldProblem[] = [];
    if (!body.deviceId === !body.agencyId) problems.push({ field: 'deviceId', message: 'give exactly one of deviceId and agencyId' });
    if (new Date(body.endsAt) <= new Date(body.startsAt)) problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
    if (problems.length) throw InventoryError.invalid('The maintenance window is not valid', problems);
    const table = body.deviceId ? 'device' : 'agency';
    const [found] = await this.ds.query(`SELECT 1 FROM ${table} WHERE id = $1`, [body.deviceId ?? body.agencyId]);
    if (!found) throw InventoryError.invalid('Unknown reference', [{ field: body.deviceId ? 'deviceId' : 'agencyId', message: `${table} ${body.deviceId ?? body.agencyId} does not exist` }]);
    return this.ds.transaction(async (m) => {
      const saved = await m.getRepository(MaintenanceWindow).save({ deviceId: body.deviceId ?? null, agencyId: body.agencyId ?? null, startsAt: new Date(body.startsAt), endsAt: new Date(body.endsAt), reason: body.reason });
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'maintenance_window', entityId: saved.id, before: null, after: { ...saved } }]);
      return saved;
    });
  }

  @Delete('maintenance-windows/:id')
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    await this.ds.transaction(async (m) => {
      const before = await m.getRepository(MaintenanceWindow).findOneBy({ id });
      if (!before) throw InventoryError.notFound('maintenance window', id);
      await m.getRepository(MaintenanceWindow).delete({ id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'maintenance_window', entityId: id, before: { ...before }, after: null }]);
    });
  }
}
