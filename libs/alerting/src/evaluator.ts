import type { DataSource, EntityManager } from 'typeorm';
import { availabilitySql, BEAT_EVERY_MS } from '@app/polling';
import type { DeliveryEvent, RuleKind } from './entities';
import type { AlertingMetrics } from './alerting-metrics';
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
  /** Silenced incidents announced because their maintenance ended while they still fire. */
  unsilenced: number;
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

/** A device as admins know it: its name, else model and serial, else its address. */
const DEVICE_NAME = `COALESCE(d.name, NULLIF(concat_ws(' ', d.model, d.serial_number), ''), d.management_address, d.id::text)`;

/** A device as a subject of rules: what rules filter on, and what notices say. */
const SUBJECT = `d.id AS device_id, ${DEVICE_NAME} AS device_name, d.management_address AS address,
  d.agency_id, a.name AS agency_name, d.kind AS device_kind, d.data_centre, u.path, p.poller_group, p.interval_seconds`;
const MONITORED = `FROM device d JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
  JOIN agency a ON a.id = d.agency_id JOIN administrative_unit u ON u.id = a.administrative_unit_id
  WHERE d.status IN ('active', 'faulty')`;
/** A rule names a subject: kind, unit subtree, data centre, and the scope of whoever wrote it (the agency is the join). */
const NAMES = `(r.device_kind IS NULL OR s.device_kind = r.device_kind) AND (r.data_centre IS NULL OR s.data_centre = r.data_centre)
  AND (r.unit_path IS NULL OR starts_with(s.path, r.unit_path)) AND starts_with(s.path, r.scope_path)
  AND (r.scope_agency_ids IS NULL OR s.agency_id = ANY(r.scope_agency_ids))`;

/**
 * The (rule, device) pairs of one kind: the subjects (devices in the state the kind watches, a
 * few thousand at most in a storm) are found first, then matched to rules in two halves — rules
 * naming an agency by a hash join on it, rules naming none by a scan — so a thousand rules over
 * a hundred thousand devices never compare every rule with every device. `subjects` selects
 * SUBJECT and the kind's own columns; `holds` is the rule's condition on them.
 */
function matchRules(kind: RuleKind, subjects: string, holds = 'true'): string {
  const columns = `r.id AS "ruleId", s.*, r.minutes, r.days, r.target_percent, r.intervals,
    EXISTS (SELECT 1 FROM maintenance_window m WHERE (m.device_id = s.device_id OR m.agency_id = s.agency_id) AND m.starts_at <= $1 AND m.ends_at > $1) AS maintenance`;
  return `WITH s AS MATERIALIZED (${subjects}),
    r AS MATERIALIZED (SELECT r.*, ru.path AS unit_path FROM alert_rule r LEFT JOIN administrative_unit ru ON ru.id = r.unit_id WHERE r.enabled AND r.kind = '${kind}')
    SELECT ${columns} FROM s JOIN r ON r.agency_id = s.agency_id WHERE ${NAMES} AND ${holds}
    UNION ALL
    SELECT ${columns} FROM s JOIN r ON r.agency_id IS NULL WHERE ${NAMES} AND ${holds}`;
}

interface Matched {
  ruleId: string;
  device_id: string;
  device_name: string;
  address: string | null;
  agency_id: string;
  agency_name: string;
  path: string;
  maintenance: boolean;
  minutes: number | null;
  days: number | null;
  target_percent: string | null;
  intervals: number | null;
  interval_seconds: number;
}

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
    private readonly options: { publicUrl?: string; availabilityEveryMs?: number; metrics?: AlertingMetrics } = {},
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
      const m = this.options.metrics;
      if (m) {
        m.evaluationSeconds.set(outcome.durationMs / 1000);
        m.incidents.inc({ event: 'opened' }, outcome.opened);
        m.incidents.inc({ event: 'silenced' }, outcome.silenced);
        m.incidents.inc({ event: 'unsilenced' }, outcome.unsilenced);
        m.incidents.inc({ event: 'resolved' }, outcome.resolved);
        m.incidents.inc({ event: 'reminded' }, outcome.reminded);
      }
    }
    return outcome;
  }

  private async reconcile(m: EntityManager, now: Date, rules: RuleRow[], evaluated: Set<RuleKind>, firings: Firing[]): Promise<EvaluationOutcome> {
    const byRule = new Map(rules.map((r) => [r.id, r]));
    const open: OpenRow[] = await m.query(
      `SELECT i.id, i.rule_id AS "ruleId", i.subject, i.kind, i.rule_name AS "ruleName", i.summary, i.device_id AS "deviceId", i.if_index AS "ifIndex", i.silenced,
              i.acknowledged_at IS NOT NULL AS acknowledged, i.reminders, i.last_notified_at AS "lastNotifiedAt", i.opened_at AS "openedAt",
              CASE WHEN d.id IS NOT NULL THEN ${DEVICE_NAME} END AS "deviceName", d.management_address AS address, a.name AS "agencyName",
              CASE WHEN i.kind = 'poller_silent' THEN substr(i.subject, 7) END AS "pollerGroup",
              EXISTS (SELECT 1 FROM maintenance_window mw WHERE (mw.device_id = i.device_id OR mw.agency_id = d.agency_id) AND mw.starts_at <= $1 AND mw.ends_at > $1) AS maintenance
         FROM alert_incident i LEFT JOIN device d ON d.id = i.device_id LEFT JOIN agency a ON a.id = d.agency_id
        WHERE i.resolved_at IS NULL`,
      [now],
    );
    const key = (ruleId: string | null, subject: string) => `${ruleId}|${subject}`;
    const openKeys = new Set(open.map((o) => key(o.ruleId, o.subject)));
    const firingKeys = new Set(firings.map((f) => key(f.ruleId, f.subject)));
    const outcome: EvaluationOutcome = { at: now.toISOString(), firing: firings.length, opened: 0, silenced: 0, unsilenced: 0, resolved: 0, reminded: 0, deliveries: 0, durationMs: 0 };
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

    // Silenced during maintenance, still firing once it is over: announced now, as if it had just opened.
    const unsilenced = open.filter((o) => {
      const rule = o.ruleId === null ? undefined : byRule.get(o.ruleId);
      return rule !== undefined && o.silenced && !o.maintenance && evaluated.has(rule.kind) && firingKeys.has(key(o.ruleId, o.subject));
    });
    for (let i = 0; i < unsilenced.length; i += CHUNK) {
      const chunk = unsilenced.slice(i, i + CHUNK);
      await m.query(`UPDATE alert_incident SET silenced = false, last_notified_at = $1 WHERE id = ANY($2::uuid[])`, [now, chunk.map((o) => o.id)]);
    }
    for (const o of unsilenced) {
      outcome.unsilenced++;
      notify('open', byRule.get(o.ruleId!), { ...this.factsOf(o), resolvedAt: null, reminder: 0 });
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
    const rows: Array<Matched & { since: Date }> = await this.ds.query(
      matchRules(
        'device_down',
        `SELECT ${SUBJECT}, st.since FROM device_poll_state st JOIN device d ON d.id = st.device_id JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
           JOIN agency a ON a.id = d.agency_id JOIN administrative_unit u ON u.id = a.administrative_unit_id
          WHERE d.status IN ('active', 'faulty') AND st.state = 'down'`,
        `s.since <= $1::timestamptz - make_interval(mins => r.minutes)`,
      ),
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.device_id,
      summary: `${r.device_name}${r.agency_name ? ` (${r.agency_name})` : ''} mất kết nối từ ${vnTime(new Date(r.since))}`,
    }));
  }

  private async interfacesDown(now: Date): Promise<Firing[]> {
    const rows: Array<Matched & { if_index: number; since: Date; link: string | null }> = await this.ds.query(
      matchRules(
        'interface_down',
        `SELECT ${SUBJECT}, o.if_index, o.started_at AS since, NULLIF(concat_ws(' ', l.provider, l.circuit_id), '') AS link
           FROM outage o JOIN device d ON d.id = o.device_id JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
           JOIN agency a ON a.id = d.agency_id JOIN administrative_unit u ON u.id = a.administrative_unit_id
           LEFT JOIN wan_link l ON l.id = o.wan_link_id
          WHERE d.status IN ('active', 'faulty') AND o.cause = 'interface_down' AND o.ended_at IS NULL`,
        `s.since <= $1::timestamptz - make_interval(mins => r.minutes)`,
      ),
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      ifIndex: r.if_index,
      subject: `${r.device_id}#${r.if_index}`,
      summary: `Cổng ${r.if_index} của ${r.device_name}${r.link ? ` (đường truyền ${r.link})` : ''} ngừng hoạt động từ ${vnTime(new Date(r.since))}`,
    }));
  }

  private async availabilityBelow(now: Date): Promise<Firing[]> {
    // (The pairs are `pairs`, not `m`: the availability query has an `m` of its own.)
    const f = availabilitySql({ device: 'pairs.device_id', agency: 'pairs.agency_id', group: 'pairs.poller_group', from: `($1::timestamptz - make_interval(days => pairs.days))`, to: '$1::timestamptz', now: '$1::timestamptz' });
    const rows: Array<Matched & { percent: number }> = await this.ds.query(
      `SELECT * FROM (
         SELECT pairs.*, CASE WHEN f.up_seconds + f.down_seconds > 0 THEN 100 * f.up_seconds / (f.up_seconds + f.down_seconds) END AS percent
           FROM (${matchRules('availability_below', `SELECT ${SUBJECT} ${MONITORED}`)}) pairs CROSS JOIN LATERAL ${f} f) x
        WHERE x.percent < x.target_percent`,
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.device_id,
      summary: `${r.device_name} sẵn sàng ${(Math.floor(Number(r.percent) * 100) / 100).toLocaleString('vi-VN')}% trong ${r.days} ngày qua, dưới mục tiêu ${Number(r.target_percent).toLocaleString('vi-VN')}%`,
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
   * (or the profile's last change, when none ever ran) is that far back. Only devices at least two
   * intervals behind are subjects (no rule asks for fewer).
   */
  private async notPolled(now: Date): Promise<Firing[]> {
    const stale = `$1::timestamptz - make_interval(secs => ${(2 * BEAT_EVERY_MS) / 1000})`;
    const subjects = `SELECT * FROM (
        SELECT ${SUBJECT},
               CASE WHEN g.live THEN to_timestamp((ov.last ->> d.id::text)::float8 / 1000)
                    ELSE GREATEST(p.updated_at, g.last_beat) END AS last_poll,
               CASE WHEN g.live THEN ov.last ? d.id::text ELSE true END AS behind
          FROM device d JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
          JOIN agency a ON a.id = d.agency_id JOIN administrative_unit u ON u.id = a.administrative_unit_id
          JOIN (SELECT pg.poller_group,
                       bool_or(pr.stopped_at IS NULL AND pr.last_beat_at >= ${stale}) AS live, max(pr.last_beat_at) AS last_beat
                  FROM (SELECT DISTINCT poller_group FROM snmp_profile) pg LEFT JOIN poller_run pr ON pr.poller_group = pg.poller_group
                 GROUP BY pg.poller_group) g ON g.poller_group = p.poller_group
          LEFT JOIN LATERAL (SELECT jsonb_object_agg(k, v) AS last FROM poller_run pr, jsonb_each(pr.overdue) AS e(k, v)
                              WHERE pr.poller_group = p.poller_group AND pr.stopped_at IS NULL AND pr.last_beat_at >= ${stale} AND pr.overdue ? d.id::text) ov ON g.live
         WHERE d.status IN ('active', 'faulty')) x
      WHERE x.behind AND COALESCE(x.last_poll, '-infinity') < $1::timestamptz - make_interval(secs => 2 * x.interval_seconds)`;
    const rows: Array<Matched & { last_poll: Date | null }> = await this.ds.query(
      matchRules('not_polled', subjects, `COALESCE(s.last_poll, '-infinity') < $1::timestamptz - make_interval(secs => r.intervals * s.interval_seconds)`),
      [now],
    );
    return rows.map((r) => ({
      ...device(r),
      subject: r.device_id,
      summary: `${r.device_name}${r.agency_name ? ` (${r.agency_name})` : ''} ${r.last_poll ? `không được thăm dò từ ${vnTime(new Date(r.last_poll))}` : 'chưa từng được thăm dò'} (quá ${r.intervals} chu kỳ ${r.interval_seconds} giây)`,
    }));
  }
}

function device(r: Matched): Omit<Firing, 'subject' | 'summary'> {
  return {
    ruleId: r.ruleId,
    deviceId: r.device_id,
    ifIndex: null,
    placePath: r.path,
    agencyId: r.agency_id,
    maintenance: r.maintenance,
    deviceName: r.device_name,
    address: r.address,
    agencyName: r.agency_name,
    pollerGroup: null,
  };
}
