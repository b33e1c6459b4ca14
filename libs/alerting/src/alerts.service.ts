import type { DataSource, EntityManager, SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { AuditLog, type ChangeContext, type FieldProblem, InventoryError, InventoryErrorCode, likeEscape, type Page, paginate, type Scope } from '@app/inventory';
import type { SecretBox } from '@app/polling';
import type { CreateChannel, CreateRule, DeliveryQuery, IncidentQuery, UpdateChannel, UpdateRule } from './alerting.dto';
import { AlertChannel, AlertDelivery, AlertDeliveryAttempt, AlertIncident, AlertRule, AlertRuleChannel, type RuleKind } from './entities';

/** A channel as the API shows it: its secret never, only whether it has one. */
export type ChannelView = Omit<AlertChannel, 'secret'> & { hasSecret: boolean };
export type RuleView = AlertRule & { channelIds: string[] };

/** Which numbers each kind of rule takes; the others must be left out. */
const KIND_FIELDS: Record<RuleKind, { required: Array<keyof AlertRule>; devices: boolean }> = {
  device_down: { required: ['minutes'], devices: true },
  interface_down: { required: ['minutes'], devices: true },
  availability_below: { required: ['days', 'targetPercent'], devices: true },
  poller_silent: { required: ['minutes', 'pollerGroup'], devices: false },
  not_polled: { required: ['intervals'], devices: true },
};
const KIND_ONLY: Array<keyof AlertRule> = ['minutes', 'days', 'targetPercent', 'intervals', 'pollerGroup'];
const DEVICE_FILTERS: Array<keyof AlertRule> = ['deviceKind', 'agencyId', 'unitId', 'dataCentre'];

/** The columns a scope is stored in. */
function scopeColumns(scope: Scope): { scopePath: string; scopeAgencyIds: string[] | null } {
  if (scope.kind === 'country') return { scopePath: '/', scopeAgencyIds: null };
  return { scopePath: scope.path, scopeAgencyIds: scope.kind === 'agency' ? [...scope.agencyIds] : null };
}

/** Rules and channels a scope sees: those made within it. */
function whereScoped<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, scope: Scope, alias: string): SelectQueryBuilder<T> {
  if (scope.kind === 'country') return qb;
  qb.andWhere(`${alias}.scope_path LIKE :scopeWithin ESCAPE '\\'`, { scopeWithin: `${likeEscape(scope.path)}%` });
  if (scope.kind === 'agency') qb.andWhere(`${alias}.scope_agency_ids IS NOT NULL AND ${alias}.scope_agency_ids <@ :scopeAgencies::uuid[]`, { scopeAgencies: scope.agencyIds });
  return qb;
}

/** Incidents a scope sees: those of devices (or rules) within it. */
function whereIncidentScoped<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, scope: Scope, alias: string): SelectQueryBuilder<T> {
  if (scope.kind === 'country') return qb;
  qb.andWhere(`${alias}.place_path LIKE :scopeWithin ESCAPE '\\'`, { scopeWithin: `${likeEscape(scope.path)}%` });
  if (scope.kind === 'agency') qb.andWhere(`${alias}.agency_id = ANY(:scopeAgencies::uuid[])`, { scopeAgencies: scope.agencyIds });
  return qb;
}

export class AlertsService {
  constructor(
    private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  // ——— channels ———

  async listChannels(scope: Scope): Promise<ChannelView[]> {
    const rows = await whereScoped(this.ds.getRepository(AlertChannel).createQueryBuilder('c'), scope, 'c').orderBy('c.name').addOrderBy('c.id').getMany();
    return rows.map(channelView);
  }

  async getChannel(id: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<AlertChannel> {
    const row = await whereScoped(m.getRepository(AlertChannel).createQueryBuilder('c').where('c.id = :id', { id }), scope, 'c').getOne();
    if (!row) throw InventoryError.notFound('alert channel', id);
    return row;
  }

  async channelView(id: string, scope: Scope): Promise<ChannelView> {
    return channelView(await this.getChannel(id, scope));
  }

  async createChannel(body: CreateChannel, ctx: ChangeContext): Promise<ChannelView> {
    checkChannel(body.kind, body);
    return this.ds.transaction(async (m) => {
      const saved = await m.getRepository(AlertChannel).save({
        name: body.name,
        kind: body.kind,
        recipients: body.kind === 'email' ? body.recipients! : null,
        url: body.kind === 'webhook' ? body.url! : null,
        secret: body.kind === 'webhook' ? this.secrets.seal(body.secret!) : null,
        enabled: body.enabled ?? true,
        ...scopeColumns(ctx.scope),
      });
      const view = channelView(saved);
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'alert_channel', entityId: saved.id, before: null, after: view, place: saved.scopePath }]);
      return view;
    });
  }

  async updateChannel(id: string, body: UpdateChannel, ctx: ChangeContext): Promise<ChannelView> {
    return this.ds.transaction(async (m) => {
      const before = await this.getChannel(id, ctx.scope, m);
      await m.query(`SELECT 1 FROM alert_channel WHERE id = $1 FOR UPDATE`, [id]);
      checkChannel(before.kind, { recipients: body.recipients ?? before.recipients ?? undefined, url: body.url ?? before.url ?? undefined, secret: body.secret ?? (before.secret ? 'kept' : undefined) }, body);
      const after = { ...before };
      if (body.name !== undefined) after.name = body.name;
      if (body.enabled !== undefined) after.enabled = body.enabled;
      if (body.recipients !== undefined) after.recipients = body.recipients;
      if (body.url !== undefined) after.url = body.url;
      if (body.secret !== undefined) after.secret = this.secrets.seal(body.secret);
      const changed = JSON.stringify(channelView(before)) !== JSON.stringify(channelView(after)) || body.secret !== undefined;
      if (!changed) return channelView(before);
      const saved = await m.getRepository(AlertChannel).save(after);
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'alert_channel', entityId: id, before: channelView(before), after: channelView(saved), place: saved.scopePath }]);
      return channelView(saved);
    });
  }

  async removeChannel(id: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.getChannel(id, ctx.scope, m);
      // A rule left with no channel would fire to nobody: say which ones first.
      const orphans: Array<{ id: string; name: string }> = await m.query(
        `SELECT r.id, r.name FROM alert_rule r WHERE EXISTS (SELECT 1 FROM alert_rule_channel rc WHERE rc.rule_id = r.id AND rc.channel_id = $1)
            AND NOT EXISTS (SELECT 1 FROM alert_rule_channel rc WHERE rc.rule_id = r.id AND rc.channel_id <> $1) ORDER BY r.name LIMIT 20`,
        [id],
      );
      if (orphans.length > 0) {
        throw new InventoryError(
          InventoryErrorCode.InUse,
          `The channel is the only one of ${orphans.length} rule(s): give them another channel or remove them first`,
          orphans.map((r) => ({ field: 'ruleId', message: `rule "${r.name}" notifies only this channel`, value: r.id })),
        );
      }
      await m.getRepository(AlertChannel).delete({ id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'alert_channel', entityId: id, before: channelView(before), after: null, place: before.scopePath }]);
    });
  }

  // ——— rules ———

  async listRules(scope: Scope): Promise<RuleView[]> {
    const rules = await whereScoped(this.ds.getRepository(AlertRule).createQueryBuilder('r'), scope, 'r').orderBy('r.name').addOrderBy('r.id').getMany();
    return this.withChannels(rules);
  }

  async getRule(id: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<RuleView> {
    const row = await whereScoped(m.getRepository(AlertRule).createQueryBuilder('r').where('r.id = :id', { id }), scope, 'r').getOne();
    if (!row) throw InventoryError.notFound('alert rule', id);
    return (await this.withChannels([row], m))[0];
  }

  async createRule(body: CreateRule, ctx: ChangeContext): Promise<RuleView> {
    return this.ds.transaction(async (m) => {
      const fields = ruleFields(body.kind, body, null);
      await this.checkReferences(fields, body.channelIds, ctx.scope, m);
      const saved = await m.getRepository(AlertRule).save({ ...fields, name: body.name, kind: body.kind, enabled: body.enabled ?? true, ...scopeColumns(ctx.scope) });
      await m.getRepository(AlertRuleChannel).insert(body.channelIds.map((channelId) => ({ ruleId: saved.id, channelId })));
      const view = { ...saved, channelIds: [...body.channelIds].sort() };
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'alert_rule', entityId: saved.id, before: null, after: view, place: saved.scopePath }]);
      return view;
    });
  }

  async updateRule(id: string, body: UpdateRule, ctx: ChangeContext): Promise<RuleView> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM alert_rule WHERE id = $1 FOR UPDATE`, [id]);
      const before = await this.getRule(id, ctx.scope, m);
      const fields = ruleFields(before.kind, body, before);
      await this.checkReferences(fields, body.channelIds, ctx.scope, m);
      const after: RuleView = { ...before, ...fields, name: body.name ?? before.name, enabled: body.enabled ?? before.enabled, channelIds: body.channelIds ? [...body.channelIds].sort() : before.channelIds };
      const { channelIds: _c, updatedAt: _u, ...row } = after;
      if (JSON.stringify({ ...before, updatedAt: null }) === JSON.stringify({ ...after, updatedAt: null })) return before;
      await m.getRepository(AlertRule).save(row);
      if (body.channelIds) {
        await m.getRepository(AlertRuleChannel).delete({ ruleId: id });
        await m.getRepository(AlertRuleChannel).insert(body.channelIds.map((channelId) => ({ ruleId: id, channelId })));
      }
      const saved = await this.getRule(id, ctx.scope, m);
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'alert_rule', entityId: id, before, after: saved, place: saved.scopePath }]);
      return saved;
    });
  }

  async removeRule(id: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await this.getRule(id, ctx.scope, m);
      // Its open incidents end now, quietly: nobody is left to be told of their recovery.
      await m.query(`UPDATE alert_incident SET resolved_at = GREATEST(now(), opened_at) WHERE rule_id = $1 AND resolved_at IS NULL`, [id]);
      await m.getRepository(AlertRule).delete({ id });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'alert_rule', entityId: id, before, after: null, place: before.scopePath }]);
    });
  }

  private async withChannels(rules: AlertRule[], m: EntityManager = this.ds.manager): Promise<RuleView[]> {
    if (rules.length === 0) return [];
    const links: Array<{ ruleId: string; channelId: string }> = await m.query(`SELECT rule_id AS "ruleId", channel_id AS "channelId" FROM alert_rule_channel WHERE rule_id = ANY($1::uuid[]) ORDER BY channel_id`, [rules.map((r) => r.id)]);
    return rules.map((r) => ({ ...r, channelIds: links.filter((l) => l.ruleId === r.id).map((l) => l.channelId) }));
  }

  /** The rule's agency, unit and channels exist and lie within the writer's scope. */
  private async checkReferences(fields: Partial<AlertRule>, channelIds: string[] | undefined, scope: Scope, m: EntityManager): Promise<void> {
    const problems: FieldProblem[] = [];
    if (fields.agencyId) {
      const [a] = (await m.query(`SELECT a.id, u.path FROM agency a JOIN administrative_unit u ON u.id = a.administrative_unit_id WHERE a.id = $1`, [fields.agencyId])) as Array<{ id: string; path: string }>;
      if (!a) problems.push({ field: 'agencyId', message: 'no such agency', value: fields.agencyId });
      else if (scope.kind !== 'country' && (!a.path.startsWith(scope.path) || (scope.kind === 'agency' && !scope.agencyIds.includes(a.id)))) problems.push({ field: 'agencyId', message: 'the agency lies outside your scope', value: fields.agencyId });
    }
    if (fields.unitId) {
      const [u] = (await m.query(`SELECT path FROM administrative_unit WHERE id = $1`, [fields.unitId])) as Array<{ path: string }>;
      if (!u) problems.push({ field: 'unitId', message: 'no such administrative unit', value: fields.unitId });
      else if (scope.kind !== 'country' && !u.path.startsWith(scope.path) && !scope.path.startsWith(u.path)) problems.push({ field: 'unitId', message: 'the unit lies outside your scope', value: fields.unitId });
    }
    if (channelIds) {
      const qb = whereScoped(m.getRepository(AlertChannel).createQueryBuilder('c').where('c.id = ANY(:ids::uuid[])', { ids: channelIds }), scope, 'c');
      const found = new Set((await qb.getMany()).map((c) => c.id));
      for (const [i, id] of channelIds.entries()) if (!found.has(id)) problems.push({ field: `channelIds[${i}]`, message: 'no such channel within your scope', value: id });
    }
    if (problems.length) throw new InventoryError(InventoryErrorCode.UnknownReference, 'The rule names something that does not exist within your scope', problems);
  }

  // ——— incidents ———

  async listIncidents(q: IncidentQuery, scope: Scope): Promise<Page<AlertIncident>> {
    const qb = whereIncidentScoped(this.ds.getRepository(AlertIncident).createQueryBuilder('i'), scope, 'i');
    if (q.state === 'open') qb.andWhere('i.resolved_at IS NULL');
    if (q.state === 'resolved') qb.andWhere('i.resolved_at IS NOT NULL');
    if (q.ruleId) qb.andWhere('i.rule_id = :ruleId', { ruleId: q.ruleId });
    if (q.deviceId) qb.andWhere('i.device_id = :deviceId', { deviceId: q.deviceId });
    if (q.kind) qb.andWhere('i.kind = :kind', { kind: q.kind });
    if (q.q) qb.andWhere(`hatang_fold(i.summary || ' ' || i.rule_name) LIKE hatang_fold(:q) ESCAPE '\\'`, { q: `%${likeEscape(q.q)}%` });
    return paginate(qb, q, { fields: { openedAt: '"i"."opened_at"', resolvedAt: '"i"."resolved_at"' }, default: '-openedAt' }, '"i"');
  }

  async getIncident(id: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<AlertIncident> {
    const row = await whereIncidentScoped(m.getRepository(AlertIncident).createQueryBuilder('i').where('i.id = :id', { id }), scope, 'i').getOne();
    if (!row) throw InventoryError.notFound('incident', id);
    return row;
  }

  /** Someone has it in hand: reminders stop. Once: a second acknowledgement says who was first. */
  async acknowledge(id: string, ctx: ChangeContext): Promise<AlertIncident> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM alert_incident WHERE id = $1 FOR UPDATE`, [id]);
      const before = await this.getIncident(id, ctx.scope, m);
      if (before.acknowledgedAt) {
        throw new InventoryError(InventoryErrorCode.Conflict, `The incident was already acknowledged by ${before.acknowledgedBy} at ${before.acknowledgedAt.toISOString()}`, [
          { field: 'acknowledgedAt', message: 'already acknowledged', value: before.acknowledgedAt.toISOString() },
        ]);
      }
      await m.query(`UPDATE alert_incident SET acknowledged_at = now(), acknowledged_by = $2 WHERE id = $1`, [id, ctx.actor]);
      const after = await this.getIncident(id, ctx.scope, m);
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'alert_incident', entityId: id, before, after, place: after.placePath }]);
      return after;
    });
  }

  async deliveries(incidentId: string, q: DeliveryQuery, scope: Scope): Promise<Page<AlertDelivery & { channelName: string | null; attemptsList: AlertDeliveryAttempt[] }>> {
    await this.getIncident(incidentId, scope);
    const qb = this.ds.getRepository(AlertDelivery).createQueryBuilder('d').where('d.incident_id = :incidentId', { incidentId });
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    const page = await paginate(qb, { ...q, sort: undefined, q: undefined }, { fields: { createdAt: '"d"."created_at"' }, default: 'createdAt' }, '"d"');
    const ids = page.items.map((d) => d.id);
    const attempts = ids.length ? await this.ds.getRepository(AlertDeliveryAttempt).createQueryBuilder('a').where('a.delivery_id = ANY(:ids::uuid[])', { ids }).orderBy('a.started_at').getMany() : [];
    const names = new Map(
      ((await this.ds.query(`SELECT id, name FROM alert_channel WHERE id = ANY($1::uuid[])`, [[...new Set(page.items.map((d) => d.channelId))]])) as Array<{ id: string; name: string }>).map((c) => [c.id, c.name]),
    );
    return { ...page, items: page.items.map((d) => ({ ...d, channelName: names.get(d.channelId) ?? null, attemptsList: attempts.filter((a) => a.deliveryId === d.id) })) };
  }
}

function channelView(c: AlertChannel): ChannelView {
  const { secret, ...rest } = c;
  return { ...rest, hasSecret: secret !== null };
}

function checkChannel(kind: string, v: { recipients?: string[]; url?: string; secret?: string }, patch?: UpdateChannel): void {
  const problems: FieldProblem[] = [];
  if (kind === 'email') {
    if (!v.recipients?.length) problems.push({ field: 'recipients', message: 'an e-mail channel needs recipients' });
    if (v.url !== undefined || patch?.url !== undefined) problems.push({ field: 'url', message: 'an e-mail channel has no url' });
    if (v.secret !== undefined || patch?.secret !== undefined) problems.push({ field: 'secret', message: 'an e-mail channel has no secret' });
  } else {
    if (!v.url) problems.push({ field: 'url', message: 'a webhook channel needs a url' });
    if (!v.secret) problems.push({ field: 'secret', message: 'a webhook channel needs a secret (16 to 200 characters) to sign its bodies' });
    if (v.recipients !== undefined || patch?.recipients !== undefined) problems.push({ field: 'recipients', message: 'a webhook channel has no recipients' });
  }
  if (problems.length) throw InventoryError.invalid('The channel is not valid', problems);
}

/** The rule's columns after a create or patch, checked against its kind. */
function ruleFields(kind: RuleKind, body: Partial<AlertRule> & { channelIds?: string[] }, before: AlertRule | null): Partial<AlertRule> {
  const problems: FieldProblem[] = [];
  const spec = KIND_FIELDS[kind];
  const out: Partial<AlertRule> = {};
  const pick = <K extends keyof AlertRule>(k: K) => (body[k] !== undefined ? body[k] : before ? before[k] : null) as AlertRule[K];
  for (const k of KIND_ONLY) {
    const v = pick(k);
    if (spec.required.includes(k)) {
      if (v === null || v === undefined) problems.push({ field: k, message: `a ${kind} rule needs ${k}` });
    } else if (body[k] !== undefined && body[k] !== null) problems.push({ field: k, message: `${k} does not apply to a ${kind} rule` });
    (out as Record<string, unknown>)[k] = spec.required.includes(k) ? v : null;
  }
  for (const k of DEVICE_FILTERS) {
    const v = pick(k);
    if (!spec.devices && body[k] !== undefined && body[k] !== null) problems.push({ field: k, message: `a ${kind} rule watches a poller group, not devices: ${k} does not apply` });
    (out as Record<string, unknown>)[k] = spec.devices ? (v ?? null) : null;
  }
  if (kind === 'poller_silent' && out.minutes === 0) problems.push({ field: 'minutes', message: 'a poller reports every 15 seconds: minutes must be at least 1' });
  out.reminderMinutes = body.reminderMinutes !== undefined ? body.reminderMinutes : (before?.reminderMinutes ?? null);
  if (problems.length) throw InventoryError.invalid('The rule is not valid', problems);
  return out;
}
