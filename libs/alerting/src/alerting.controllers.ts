import { Body, Controller, Delete, Get, HttpCode, Inject, Optional, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CallerScope, Change, type ChangeContext, DevicesService, Input, InventoryError, InventoryErrorCode, type Page, paginate, Permission, Requires, Returns, schemaRef, type Scope } from '@app/inventory';
import { CreateChannel, CreateRule, DeliveryQuery, IncidentQuery, TrapQuery, UpdateChannel, UpdateRule } from './alerting.dto';
import { AlertsService } from './alerts.service';
import { SnmpTrap } from './entities';
import { AlertEvaluator } from './evaluator';
import { Outbox } from './outbox';
import { TrapListener } from './trap-listener';

const uuid = new ParseUUIDPipe({ version: undefined });

const CHANNEL_SCHEMA = {
  type: 'object',
  required: ['id', 'name', 'kind', 'recipients', 'url', 'hasSecret', 'enabled', 'scopePath', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    kind: { type: 'string', enum: ['email', 'webhook'] },
    recipients: { type: 'array', items: { type: 'string' }, nullable: true },
    url: { type: 'string', nullable: true },
    hasSecret: { type: 'boolean', description: 'A webhook\'s signing key is set (it is never returned)' },
    enabled: { type: 'boolean' },
    scopePath: { type: 'string' },
    scopeAgencyIds: { type: 'array', items: { type: 'string', format: 'uuid' }, nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const RULE_SCHEMA = { allOf: [schemaRef('AlertRule'), { type: 'object', required: ['channelIds'], properties: { channelIds: { type: 'array', items: { type: 'string', format: 'uuid' } } } }] };
const DELIVERY_SCHEMA = {
  allOf: [
    schemaRef('AlertDelivery'),
    { type: 'object', required: ['channelName', 'attemptsList'], properties: { channelName: { type: 'string', nullable: true }, attemptsList: { type: 'array', items: schemaRef('AlertDeliveryAttempt') } } },
  ],
};
const COUNT = { type: 'integer' };
const STATUS_SCHEMA = {
  type: 'object',
  required: ['evaluator', 'outbox', 'traps'],
  properties: {
    evaluator: {
      type: 'object',
      required: ['enabled', 'last'],
      properties: { enabled: { type: 'boolean' }, last: { type: 'object', nullable: true, additionalProperties: true, description: 'The last evaluation: when, how long, incidents opened, resolved, reminded, notifications stored' } },
    },
    outbox: {
      type: 'object',
      required: ['sending', 'pending', 'sent', 'failed'],
      properties: { sending: COUNT, pending: COUNT, sent: COUNT, failed: COUNT, delivering: { type: 'boolean', description: 'This process sends notifications' } },
    },
    traps: {
      type: 'object',
      required: ['listening'],
      properties: {
        listening: { type: 'boolean' },
        port: { type: 'integer', nullable: true },
        accepted: COUNT,
        unknownSender: COUNT,
        badCredentials: COUNT,
        ignored: COUNT,
        malformed: COUNT,
        rateLimited: COUNT,
      },
    },
  },
};

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    @InjectDataSource() private readonly ds: DataSource,
    @Optional() @Inject(AlertEvaluator) private readonly evaluator?: AlertEvaluator,
    @Optional() @Inject(Outbox) private readonly outbox?: Outbox,
    @Optional() @Inject(TrapListener) private readonly traps?: TrapListener,
  ) {}

  @Get('channels')
  @Requires(Permission.InventoryRead)
  @Returns({ type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: CHANNEL_SCHEMA }, total: COUNT } }, 'The channels made within your scope')
  @ApiOperation({ summary: 'Notification channels (e-mail, webhook) made within your scope; webhook secrets are never returned' })
  async channels(@CallerScope() scope: Scope) {
    const items = await this.alerts.listChannels(scope);
    return { items, total: items.length };
  }

  @Post('channels')
  @Requires(Permission.InventoryWrite)
  @Returns(CHANNEL_SCHEMA, 'The channel', 201)
  @ApiOperation({ summary: 'Add a channel: e-mail (recipients) or webhook (url and a signing secret)' })
  createChannel(@Body(new Input(CreateChannel)) body: CreateChannel, @Change() ctx: ChangeContext) {
    return this.alerts.createChannel(body, ctx);
  }

  @Get('channels/:id')
  @Requires(Permission.InventoryRead)
  @Returns(CHANNEL_SCHEMA, 'The channel')
  channel(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.alerts.channelView(id, scope);
  }

  @Patch('channels/:id')
  @Requires(Permission.InventoryWrite)
  @Returns(CHANNEL_SCHEMA, 'The channel as stored')
  @ApiOperation({ summary: 'Change a channel (omit secret to keep it)' })
  updateChannel(@Param('id', uuid) id: string, @Body(new Input(UpdateChannel)) body: UpdateChannel, @Change() ctx: ChangeContext) {
    return this.alerts.updateChannel(id, body, ctx);
  }

  @Post('channels/:id/test')
  @HttpCode(200)
  @Requires(Permission.InventoryWrite)
  @Returns({ type: 'object', required: ['ok', 'response', 'error', 'durationMs'], properties: { ok: { type: 'boolean' }, response: { type: 'string', nullable: true }, error: { type: 'string', nullable: true }, durationMs: { type: 'integer' } } }, 'What the receiver answered')
  @ApiOperation({ summary: 'Send a test notice to a channel now (nothing stored, no retry) and see what the SMTP server or webhook answered' })
  async testChannel(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    await this.alerts.getChannel(id, ctx.scope);
    if (!this.outbox) throw new InventoryError(InventoryErrorCode.Conflict, 'This process does not send notices (ALERTS_DELIVER=false): test the channel where they are sent');
    return this.outbox.test(id, ctx.actor);
  }

  @Delete('channels/:id')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a channel (refused while it is a rule\'s only channel)' })
  removeChannel(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.alerts.removeChannel(id, ctx);
  }

  @Get('rules')
  @Requires(Permission.InventoryRead)
  @Returns({ type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: RULE_SCHEMA }, total: COUNT } }, 'The rules made within your scope')
  @ApiOperation({ summary: 'Alert rules made within your scope' })
  async rules(@CallerScope() scope: Scope) {
    const items = await this.alerts.listRules(scope);
    return { items, total: items.length };
  }

  @Post('rules')
  @Requires(Permission.InventoryWrite)
  @Returns(RULE_SCHEMA, 'The rule', 201)
  @ApiOperation({
    summary: 'Add an alert rule',
    description:
      'Kinds: device_down (minutes), interface_down (minutes), availability_below (days, targetPercent), poller_silent (pollerGroup, minutes), not_polled (intervals). Devices are named by deviceKind, agencyId, unitId (the unit and beneath) and dataCentre, within your scope.',
  })
  createRule(@Body(new Input(CreateRule)) body: CreateRule, @Change() ctx: ChangeContext) {
    return this.alerts.createRule(body, ctx);
  }

  @Get('rules/:id')
  @Requires(Permission.InventoryRead)
  @Returns(RULE_SCHEMA, 'The rule')
  rule(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.alerts.getRule(id, scope);
  }

  @Patch('rules/:id')
  @Requires(Permission.InventoryWrite)
  @Returns(RULE_SCHEMA, 'The rule as stored')
  @ApiOperation({ summary: 'Change a rule (its kind stays)' })
  updateRule(@Param('id', uuid) id: string, @Body(new Input(UpdateRule)) body: UpdateRule, @Change() ctx: ChangeContext) {
    return this.alerts.updateRule(id, body, ctx);
  }

  @Delete('rules/:id')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a rule: its open incidents end without a recovery notice; its past incidents stay' })
  removeRule(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.alerts.removeRule(id, ctx);
  }

  @Get('incidents')
  @Requires(Permission.InventoryRead)
  @Returns(schemaRef('AlertIncidentPage'), 'A page of incidents, latest first')
  @ApiOperation({ summary: 'Incidents of devices within your scope (state=open for those still going on)' })
  incidents(@Query(new Input(IncidentQuery)) q: IncidentQuery, @CallerScope() scope: Scope) {
    return this.alerts.listIncidents(q, scope);
  }

  @Get('incidents/:id')
  @Requires(Permission.InventoryRead)
  @Returns(schemaRef('AlertIncident'), 'The incident')
  incident(@Param('id', uuid) id: string, @CallerScope() scope: Scope) {
    return this.alerts.getIncident(id, scope);
  }

  @Post('incidents/:id/acknowledge')
  @Requires(Permission.InventoryWrite)
  @HttpCode(200)
  @Returns(schemaRef('AlertIncident'), 'The incident, with who acknowledged it and when')
  @ApiOperation({ summary: 'Acknowledge an incident: you have it in hand, reminders stop (409 if someone already did)' })
  acknowledge(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.alerts.acknowledge(id, ctx);
  }

  @Get('incidents/:id/deliveries')
  @Requires(Permission.InventoryRead)
  @Returns({ type: 'object', required: ['items', 'total', 'limit', 'offset', 'nextCursor'], properties: { items: { type: 'array', items: DELIVERY_SCHEMA }, total: COUNT, limit: COUNT, offset: COUNT, nextCursor: { type: 'string', nullable: true } } }, 'The notifications of the incident, each with its attempts')
  @ApiOperation({ summary: 'The notifications of an incident (notice, reminders, recovery) per channel, with every attempt to send them' })
  deliveries(@Param('id', uuid) id: string, @Query(new Input(DeliveryQuery)) q: DeliveryQuery, @CallerScope() scope: Scope) {
    return this.alerts.deliveries(id, q, scope);
  }

  @Get('status')
  @Requires(Permission.InventoryRead)
  @Returns(STATUS_SCHEMA, 'The evaluator\'s last run, the outbox by status, the trap listener\'s counts')
  @ApiOperation({ summary: 'Whether alerting works: the last evaluation, notifications waiting or failed, traps received and dropped' })
  async status() {
    const rows: Array<{ status: string; n: string }> = await this.ds.query(`SELECT status, count(*) AS n FROM alert_delivery GROUP BY status`);
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return {
      evaluator: { enabled: this.evaluator !== undefined, last: this.evaluator?.last ?? null },
      outbox: { pending: count('pending'), sending: count('sending'), sent: count('sent'), failed: count('failed'), delivering: this.outbox !== undefined },
      traps: { listening: this.traps?.listening ?? false, port: this.traps?.port ?? null, ...(this.traps?.counts ?? {}) },
    };
  }
}

@ApiTags('alerts')
@Controller('devices/:id')
export class DeviceTrapsController {
  constructor(
    private readonly devices: DevicesService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get('traps')
  @Requires(Permission.InventoryRead)
  @Returns(schemaRef('SnmpTrapPage'), 'A page of the traps the device sent, latest first')
  @ApiOperation({ summary: 'The SNMP traps a device sent (coldStart, warmStart, linkDown, linkUp), latest first' })
  async traps(@Param('id', uuid) id: string, @Query(new Input(TrapQuery)) q: TrapQuery, @CallerScope() scope: Scope): Promise<Page<SnmpTrap>> {
    await this.devices.get(id, scope);
    const qb = this.ds.getRepository(SnmpTrap).createQueryBuilder('t').where('t.device_id = :id', { id });
    if (q.since) qb.andWhere('t.received_at >= :since', { since: new Date(q.since) });
    return paginate(qb, { ...q, sort: undefined, q: undefined }, { fields: { receivedAt: '"t"."received_at"' }, default: '-receivedAt' }, '"t"');
  }
}
