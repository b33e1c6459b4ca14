import type { DataSource, EntityManager } from 'typeorm';
import { availabilitySql, BEAT_EVERY_MS } from '@app/polling';
import type { DeliveryEvent, RuleKind } from './entities';
import { type IncidentFacts, renderMessage, vnDuration, vnTime } from './messages';

/** One subject a rule fires for, as the evaluation found it. */
export interface Firing {
  ruleId: string;
  subject: string;
  deviceId: string | null;
  ifIndex: number | null;
  placePath: string;
  agencyId: string | null;
  summary: string;
  /** The device (or its agency) is in a declared maintenance window now. */
  maintenance: boolean;
  deviceName: string | null;
  address: string | null;
  agencyName: string | null;
  pollerGroup: string | null;
}

export interface EvaluationOutcome {
  at: string;
  firing: number;
  opened: number;
  silenced: number;
  resolved: number;
  reminded: number;
  deliveries: number;
  durationMs: number;
}

interface RuleRow {
  id: string;
  name: string;
  kind: RuleKind;
  reminderMinutes: number | null;
  channels: string[];
}

interface OpenRow {
  id: string;
  ruleId: string | null;
  subject: string;
  kind: RuleKind;
  ruleName: string;
  summary: string;
  deviceId: string | null;
  ifIndex: number | null;
  silenced: boolean;
  acknowledged: boolean;
  reminders: number;
  lastNotifiedAt: Date | null;
  openedAt: Date;
  maintenance: boolean;
  deviceName: string | null;
  address: string | null;
  agencyName: string | null;
  pollerGroup: string | null;
}

const CHUNK = 2000;
/** pg_try_advisory_xact_lock key: one evaluation at a time across every process on the database. */
const LOCK_KEY = 716_000_016;

/** The devices a rule names, within the scope of whoever wrote it: kind, agency, unit subtree, data centre. */
const RULE_DEVICES = `
  FROM alert_rule r
  JOIN device d ON (r.device_kind IS NULL OR d.kind = r.device_kind) AND (r.agency_id IS NULL OR d.agency_id = r.agency_id)
                AND (r.data_centre IS NULL OR d.data_centre = r.data_centre)
  JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
  JOIN agency a ON a.id = d.agency_id
  JOIN administrative_unit u ON u.id = a.administrative_unit_id
  LEFT JOIN administrative_unit ru ON ru.id = r.unit_id`;
const RULE_DEVICES_WHERE = `r.enabled AND d.status IN ('active', 'faulty')
   AND (ru.id IS NULL OR starts_with(u.path, ru.path)) AND starts_with(u.path, r.scope_path)
   AND (r.scope_agency_ids IS NULL OR d.agency_id = ANY(r.scope_agency_ids))`;
const DEVICE_COLUMNS = `r.id AS "ruleId", d.id AS "deviceId", COALESCE(d.name, d.model, d.serial_number, d.management_address, d.id::text) AS "deviceName",
  d.management_address AS address, a.name AS "agencyName", u.path AS "placePath", d.agency_id AS "agencyId",
  EXISTS (SELECT 1 FROM maintenance_window m WHERE (m.device_id = d.id OR m.agency_id = d.agency_id) AND m.starts_at <= $1 AND m.ends_at > $1) AS maintenance`;

/**
 * Turns the state of the equipment into incidents: every rule's firing subjects are found in a
 * few set-based queries (one per kind, whatever the number of rules), compared with the open
 * incidents, and the differences written in one transaction with their notifications (the
 * outbox), so an incident and its notices are stored together or not at all.
 */
export class AlertEvaluator {
  private availabilityAt = 0;
  last: EvaluationOutcome | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly options: { publicUrl?: string; availabilityEveryMs?: number } = {},
  ) {}

  /** One evaluation as of `now`; `availabilityNow` evaluates availability rules whenever they were last done. */
  async evaluate(now = new Date(), availabilityNow = false): Promise<EvaluationOutcome | null> {
    const started = Date.now();
    const rules: RuleRow[] = await this.ds.query(
      `SELECT r.id, r.name, r.kind, r.reminder_minutes AS "reminderMinutes",
              ARRAY(SELECT rc.channel_id FROM alert_rule_channel rc JOIN alert_channel c ON c.id = rc.channel_id AND c.enabled WHERE rc.rule_id = r.id ORDER BY rc.channel_id)::text[] AS channels
         FROM alert_rule r WHERE r.enabled`,
    );
    const kinds = new Set(rules.map((r) => r.kind));
    const evaluated = new Set<RuleKind>();
    const firings: Firing[] = [];
    const add = async (kind: RuleKind, find: () => Promise<Firing[]>) => {
      if (!kinds.has(kind)) return void evaluated.add(kind);
      firings.push(...(await find()));
      evaluated.add(kind);
    };
    await add('device_down', () => this.devicesDown(now));
    await add('interface_down', () => this.interfacesDown(now));
    await add('poller_silent', () => this.pollersSilent(now));
    await add('not_polled', () => this.notPolled(now));
    // Availability over days moves slowly and costs a scan of the ledger: every few minutes.
    if (!kinds.has('availability_below')) evaluated.add('availability_below');
    else if (availabilityNow || Math.abs(now.getTime() - this.availabilityAt) >= (this.options.availabilityEveryMs ?? 300_000)) {
      await add('availability_below', () => this.availabilityBelow(now));
      this.availabilityAt = now.getTime();
    }
    const outcome = await this.ds.transaction(async (m) => {
      const [{ locked }] = (await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [LOCK_KEY])) as Array<{ locked: boolean }>;
      if (!locked) return null;
      return this.reconcile(m, now, rules, evaluated, firings);
    });
    if (outcome) {
      outcome.durationMs = Date.now() - started;
      this.last = outcome;
    }
    return outcome;
  }

  private async reconcile(m: EntityManager, now: Date, rules: RuleRow[], evaluated: Set<RuleKind>, firings: Firing[]): Promise<EvaluationOutcome> {
    const byRule = new Map(rules.map((r) => [r.id, r]));
    const open: OpenRow[] = await m.query(
      `SELECT i.id, i.rule_id AS "ruleId", i.subject, i.kind, i.rule_name AS "ruleName", i.summary, i.device_id AS "deviceId", i.if_index AS "ifIndex", i.silenced,
              i.acknowledged_at IS NOT NULL AS acknowledged, i.reminders, i.last_notified_at AS "lastNotifiedAt", i.opened_at AS "openedAt",
              COALESCE(d.name, d.model, d.serial_number, d.management_address) AS "deviceName", d.management_address AS address, a.name AS "agencyName",
              CASE WHEN i.kind = 'poller_silent' THEN substr(i.subject, 7) END AS "pollerGroup",
              EXISTS (SELECT 1 FROM maintenance_window mw WHERE (mw.device_id = i.device_id OR mw.agency_id = d.agency_id) AND mw.starts_at <= $1 AND mw.ends_at > $1) AS maintenance
         FROM alert_incident i LEFT JOIN device d ON d.id = i.device_id LEFT JOIN agency a ON a.id = d.agency_id
        WHERE i.resolved_at IS NULL`,
      [now],
    );
    const key = (ruleId: string | null, subject: string) => `${ruleId}|${subject}`;
    const openKeys = new Set(open.map((o) => key(o.ruleId, o.subject)));
    const firingKeys = new Set(firings.map((f) => key(f.ruleId, f.subject)));
    const outcome: EvaluationOutcome = { at: now.toISOString(), firing: firings.length, opened: 0, silenced: 0, resolved: 0, reminded: 0, deliveries: 0, durationMs: 0 };
    const deliveries: Array<{ incidentId: string; channelId: string; event: DeliveryEvent; seq: number; message: unknown }> = [];
    const notify = (event: DeliveryEvent, rule: RuleRow | undefined, facts: IncidentFacts) => {
      if (!rule) return;
      const message = renderMessage(event, facts, this.options.publicUrl);
      for (const channelId of rule.channels) deliveries.push({ incidentId: facts.incidentId, channelId, event, seq: event === 'reminder' ? facts.reminder : 0, message });
    };

    // Opened: firing now, no open incident yet.
    const fresh = firings.filter((f) => !openKeys.has(key(f.ruleId, f.subject)));
    for (let i = 0; i < fresh.length; i += CHUNK) {
      const chunk = fresh.slice(i, i + CHUNK);
      const col = <K extends keyof Firing>(k: K) => chunk.map((f) => f[k]);
      const inserted: Array<{ id: string; ruleId: string; subject: string }> = await m.query(
        `INSERT INTO alert_incident (rule_id, rule_name, kind, subject, device_id, if_index, place_path, agency_id, summary, opened_at, silenced, last_notified_at)
         SELECT u.rule_id, r.name, r.kind, u.subject, u.device_id, u.if_index, u.place_path, u.agency_id, u.summary, $1, u.silenced, CASE WHEN u.silenced THEN NULL ELSE $1::timestamptz END
           FROM unnest($2::uuid[], $3::varchar[], $4::uuid[], $5::int[], $6::text[], $7::uuid[], $8::text[], $9::boolean[]) AS u(rule_id, subject, device_id, if_index, place_path, agency_id, summary, silenced)
           JOIN alert_rule r ON r.id = u.rule_id
         ON CONFLICT DO NOTHING
         RETURNING id, rule_id AS "ruleId", subject`,
        [now, col('ruleId'), col('subject'), col('deviceId'), col('ifIndex'), col('placePath'), col('agencyId'), col('summary'), col('maintenance')],
      );
      const firingOf = new Map(chunk.map((f) => [key(f.ruleId, f.subject), f]));
      for (const row of inserted) {
        const f = firingOf.get(key(row.ruleId, row.subject))!;
        outcome.opened++;
        if (f.maintenance) {
          outcome.silenced++;
          continue;
        }
        const rule = byRule.get(f.ruleId)!;
        notify('open', rule, { ...f, incidentId: row.id, ruleName: rule.name, kind: rule.kind, openedAt: now, resolvedAt: null, reminder: 0 });
      }
    }

    // Resolved: no longer firing (for the kinds evaluated now), or its rule was disabled or removed.
    const resolved = open.filter((o) => {
      const rule = o.ruleId === null ? undefined : byRule.get(o.ruleId);
      if (!rule) return true;
      return evaluated.has(rule.kind) && !firingKeys.has(key(o.ruleId, o.subject));
    });
    for (let i = 0; i < resolved.length; i += CHUNK) {
      const chunk = resolved.slice(i, i + CHUNK);
      await m.query(`UPDATE alert_incident SET resolved_at = GREATEST($1, opened_at) WHERE id = ANY($2::uuid[]) AND resolved_at IS NULL`, [now, chunk.map((o) => o.id)]);
    }
    for (const o of resolved) {
      outcome.resolved++;
      // A rule removed or disabled closes its incidents quietly; a silenced incident was never announced.
      const rule = o.ruleId === null ? undefined : byRule.get(o.ruleId);
      if (o.silenced || !rule) continue;
      notify('recovery', rule, { ...this.factsOf(o), resolvedAt: now, reminder: 0 });
    }

    // Reminders: still firing, announced, not acknowledged, not in maintenance, the rule's interval gone by.
    const reminding = open.filter((o) => {
      const rule = o.ruleId === null ? undefined : byRule.get(o.ruleId);
      if (!rule || rule.reminderMinutes === null || o.silenced || o.acknowledged || o.maintenance) return false;
      if (!firingKeys.has(key(o.ruleId, o.subject)) && evaluated.has(rule.kind)) return false;
      return o.lastNotifiedAt !== null && now.getTime() - new Date(o.lastNotifiedAt).getTime() >= rule.reminderMinutes * 60_000;
    });
    for (let i = 0; i < reminding.length; i += CHUNK) {
      const chunk = reminding.slice(i, i + CHUNK);
      await m.query(`UPDATE alert_incident SET reminders = reminders + 1, last_notified_at = $1 WHERE id = ANY($2::uuid[])`, [now, chunk.map((o) => o.id)]);
    }
    for (const o of reminding) {
      outcome.reminded++;
      notify('reminder', byRule.get(o.ruleId!), { ...this.factsOf(o), resolvedAt: null, reminder: o.reminders + 1 });
    }

    for (let i = 0; i < deliveries.length; i += CHUNK) {
      const chunk = deliveries.slice(i, i + CHUNK);
      const rows: Array<{ n: string }> = await m.query(
        `WITH ins AS (
           INSERT INTO alert_delivery (incident_id, channel_id, event, seq, next_attempt_at, message)
           SELECT x.incident_id, x.channel_id, x.event, x.seq, LEAST($1, now()), x.message
             FROM unnest($2::uuid[], $3::uuid[], $4::varchar[], $5::int[], $6::jsonb[]) AS x(incident_id, channel_id, event, seq, message)
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        [now, chunk.map((d) => d.incidentId), chunk.map((d) => d.channelId), chunk.map((d) => d.event), chunk.map((d) => d.seq), chunk.map((d) => JSON.stringify(d.message))],
      );
      outcome.deliveries += Number(rows[0].n);
    }
    return outcome;
  }

  private factsOf(o: OpenRow): Omit<IncidentFacts, 'resolvedAt' | 'reminder'> {
    return {
      incidentId: o.id,
      ruleId: o.ruleId,
      ruleName: o.ruleName,
      kind: o.kind,
      summary: o.summary,
      deviceId: o.deviceId,
      deviceName: o.deviceName,
      address: o.address,
      agencyName: o.agencyName,
      ifIndex: o.ifIndex,
      pollerGroup: o.pollerGroup,
      openedAt: new Date(o.openedAt),
    };
  }

  private async devicesDown(now: Date): Promise<Firing[]> {
    const rows: Array<Firing & { since: Date; failure: string | null }> = await this.ds.query(
      `SELECT ${DEVICE_COLUMNS}, s.since, s.last_failure_message AS failure
         ${RULE_DEVICES}
         JOIN device_poll_state s ON s.device_id = d.id AND s.state = 'down'
        WHERE r.kind = 'device_down' AND ${RULE_DEVICES_WHERE} AND s.since <= $1::timestamptz - make_interval(mins => r.minutes)`,
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.deviceId!,
      summary: `${r.deviceName}${r.agencyName ? ` (${r.agencyName})` : ''} mất kết nối từ ${vnTime(new Date(r.since))}`,
    }));
  }

  private async interfacesDown(now: Date): Promise<Firing[]> {
    const rows: Array<Firing & { since: Date; link: string | null }> = await this.ds.query(
      `SELECT ${DEVICE_COLUMNS}, o.if_index AS "ifIndex", o.started_at AS since, NULLIF(concat_ws(' ', l.provider, l.circuit_id), '') AS link
         ${RULE_DEVICES}
         JOIN outage o ON o.device_id = d.id AND o.cause = 'interface_down' AND o.ended_at IS NULL
         LEFT JOIN wan_link l ON l.id = o.wan_link_id
        WHERE r.kind = 'interface_down' AND ${RULE_DEVICES_WHERE} AND o.started_at <= $1::timestamptz - make_interval(mins => r.minutes)`,
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      ifIndex: r.ifIndex,
      subject: `${r.deviceId}#${r.ifIndex}`,
      summary: `Cổng ${r.ifIndex} của ${r.deviceName}${r.link ? ` (đường truyền ${r.link})` : ''} ngừng hoạt động từ ${vnTime(new Date(r.since))}`,
    }));
  }

  private async availabilityBelow(now: Date): Promise<Firing[]> {
    const f = availabilitySql({ device: 'd.id', agency: 'd.agency_id', group: 'p.poller_group', from: `($1::timestamptz - make_interval(days => r.days))`, to: '$1::timestamptz', now: '$1::timestamptz' });
    const rows: Array<Firing & { percent: number; days: number; target: string }> = await this.ds.query(
      `SELECT * FROM (
         SELECT ${DEVICE_COLUMNS}, r.days, r.target_percent AS target,
                CASE WHEN f.up_seconds + f.down_seconds > 0 THEN 100 * f.up_seconds / (f.up_seconds + f.down_seconds) END AS percent
           ${RULE_DEVICES} CROSS JOIN LATERAL ${f} f
          WHERE r.kind = 'availability_below' AND ${RULE_DEVICES_WHERE}) x
        WHERE x.percent < x.target`,
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.deviceId!,
      summary: `${r.deviceName} sẵn sàng ${(Math.floor(Number(r.percent) * 100) / 100).toLocaleString('vi-VN')}% trong ${r.days} ngày qua, dưới mục tiêu ${Number(r.target).toLocaleString('vi-VN')}%`,
    }));
  }

  private async pollersSilent(now: Date): Promise<Firing[]> {
    const rows: Array<{ ruleId: string; pollerGroup: string; placePath: string; lastBeatAt: Date | null }> = await this.ds.query(
      `SELECT r.id AS "ruleId", r.poller_group AS "pollerGroup", r.scope_path AS "placePath",
              (SELECT max(pr.last_beat_at) FROM poller_run pr WHERE pr.poller_group = r.poller_group) AS "lastBeatAt"
         FROM alert_rule r
        WHERE r.enabled AND r.kind = 'poller_silent'
          AND NOT EXISTS (SELECT 1 FROM poller_run pr WHERE pr.poller_group = r.poller_group AND pr.stopped_at IS NULL
                            AND pr.last_beat_at >= $1::timestamptz - make_interval(mins => r.minutes))`,
      [now],
    );
    return rows.map((r) => ({
      ruleId: r.ruleId,
      subject: `group:${r.pollerGroup}`,
      deviceId: null,
      ifIndex: null,
      placePath: r.placePath,
      agencyId: null,
      maintenance: false,
      deviceName: null,
      address: null,
      agencyName: null,
      pollerGroup: r.pollerGroup,
      summary: r.lastBeatAt
        ? `Nhóm thu thập "${r.pollerGroup}" không báo về từ ${vnTime(new Date(r.lastBeatAt))} (${vnDuration(now.getTime() - new Date(r.lastBeatAt).getTime())})`
        : `Nhóm thu thập "${r.pollerGroup}" chưa từng báo về`,
    }));
  }

  /**
   * Not polled for N of its intervals: a live poller of its group says it is behind on it (its
   * beat lists the devices it is late with), or no poller of its group is alive and its last beat
   * (or the profile's creation, when none ever ran) is that far back.
   */
  private async notPolled(now: Date): Promise<Firing[]> {
    const stale = `$1::timestamptz - make_interval(secs => ${(2 * BEAT_EVERY_MS) / 1000})`;
    const rows: Array<Firing & { lastPoll: string | null; intervals: number; intervalSeconds: number }> = await this.ds.query(
      `SELECT * FROM (
         SELECT ${DEVICE_COLUMNS}, r.intervals, p.interval_seconds AS "intervalSeconds",
                CASE WHEN live.runs > 0 THEN (CASE WHEN live.overdue THEN COALESCE(live.last_poll, p.updated_at) END)
                     ELSE GREATEST(p.updated_at, (SELECT max(pr.last_beat_at) FROM poller_run pr WHERE pr.poller_group = p.poller_group)) END AS "lastPoll"
           ${RULE_DEVICES}
           CROSS JOIN LATERAL (
             SELECT count(*) AS runs, bool_or(pr.overdue ? d.id::text) AS overdue,
                    to_timestamp(max((pr.overdue ->> d.id::text)::float8) / 1000) AS last_poll
               FROM poller_run pr WHERE pr.poller_group = p.poller_group AND pr.stopped_at IS NULL AND pr.last_beat_at >= ${stale}) live
          WHERE r.kind = 'not_polled' AND ${RULE_DEVICES_WHERE}) x
        WHERE x."lastPoll" IS NOT NULL AND x."lastPoll" < $1::timestamptz - make_interval(secs => x.intervals * x."intervalSeconds")`,
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.deviceId!,
      summary: `${r.deviceName}${r.agencyName ? ` (${r.agencyName})` : ''} không được thăm dò từ ${vnTime(new Date(r.lastPoll!))} (quá ${r.intervals} chu kỳ ${r.intervalSeconds} giây)`,
    }));
  }
}

function device(r: Firing): Omit<Firing, 'subject' | 'summary'> {
  return {
    ruleId: r.ruleId,
    deviceId: r.deviceId,
    ifIndex: null,
    placePath: r.placePath,
    agencyId: r.agencyId,
    maintenance: r.maintenance,
    deviceName: r.deviceName,
    address: r.address,
    agencyName: r.agencyName,
    pollerGroup: null,
  };
}
