import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnit, Agency, Device, Timestamped } from '@app/inventory';

export const CHANNEL_KINDS = ['email', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const RULE_KINDS = ['device_down', 'interface_down', 'availability_below', 'poller_silent', 'not_polled'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const DELIVERY_EVENTS = ['open', 'reminder', 'recovery'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const TRAP_NAMES = ['coldStart', 'warmStart', 'linkDown', 'linkUp'] as const;
export type TrapName = (typeof TRAP_NAMES)[number];

/**
 * Where a rule or channel belongs (with its creation and last change): the writer's scope when it was made. `scopePath` is the unit
 * path the scope covers ('/' for the whole country); `scopeAgencyIds` narrows it to agencies.
 */
abstract class Scoped extends Timestamped {
  @Column({ type: 'text', default: '/' })
  scopePath: string;

  @Column({ type: 'uuid', array: true, nullable: true })
  scopeAgencyIds: string[] | null;
}

/** Where notifications go: e-mail addresses, or a webhook signed with the channel's secret. */
@Entity('alert_channel')
@Check('ck_alert_channel_kind', `"kind" IN ('email', 'webhook')`)
@Check('ck_alert_channel_target', `("kind" = 'email' AND "recipients" IS NOT NULL AND "url" IS NULL) OR ("kind" = 'webhook' AND "url" IS NOT NULL AND "secret" IS NOT NULL AND "recipients" IS NULL)`)
export class AlertChannel extends Scoped {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  kind: ChannelKind;

  @Column({ type: 'text', array: true, nullable: true })
  recipients: string[] | null;

  @Column({ type: 'text', nullable: true })
  url: string | null;

  /** The HMAC key of a webhook, encrypted (SecretBox); never returned. */
  @Column({ type: 'text', nullable: true })
  secret: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;
}

/** A condition on the equipment that opens an incident while it holds, and who hears of it. */
@Entity('alert_rule')
@Check('ck_alert_rule_kind', `"kind" IN ('device_down', 'interface_down', 'availability_below', 'poller_silent', 'not_polled')`)
@Check(
  'ck_alert_rule_numbers',
  `("minutes" IS NULL OR "minutes" BETWEEN 0 AND 10080) AND ("days" IS NULL OR "days" BETWEEN 1 AND 366) AND ("target_percent" IS NULL OR "target_percent" BETWEEN 0 AND 100) AND ("intervals" IS NULL OR "intervals" BETWEEN 2 AND 1000) AND ("reminder_minutes" IS NULL OR "reminder_minutes" BETWEEN 5 AND 10080)`,
)
export class AlertRule extends Scoped {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 30 })
  kind: RuleKind;

  /** device_down, interface_down: for at least this long; poller_silent: no beat for this long. */
  @Column({ type: 'int', nullable: true })
  minutes: number | null;

  /** availability_below: over the last `days` days, below `targetPercent`. */
  @Column({ type: 'int', nullable: true })
  days: number | null;

  @Column({ type: 'numeric', precision: 7, scale: 4, nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  targetPercent: number | null;

  /** not_polled: no poll for this many of the device's intervals. */
  @Column({ type: 'int', nullable: true })
  intervals: number | null;

  /** poller_silent: the group watched. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  pollerGroup: string | null;

  /** The devices: every filter given must match (kind, agency, unit subtree, data centre). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  deviceKind: string | null;

  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  @ManyToOne(() => Agency, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_alert_rule_agency' })
  agency?: Agency | null;

  @Column({ type: 'uuid', nullable: true })
  unitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'unit_id', foreignKeyConstraintName: 'fk_alert_rule_unit' })
  unit?: AdministrativeUnit | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  dataCentre: string | null;

  /** Remind while the incident lasts and nobody has acknowledged it; null: no reminders. */
  @Column({ type: 'int', nullable: true })
  reminderMinutes: number | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;
}

@Entity('alert_rule_channel')
export class AlertRuleChannel {
  @PrimaryColumn({ type: 'uuid' })
  ruleId: string;

  @ManyToOne(() => AlertRule, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'rule_id', foreignKeyConstraintName: 'fk_alert_rule_channel_rule' })
  rule?: AlertRule;

  @PrimaryColumn({ type: 'uuid' })
  channelId: string;

  @ManyToOne(() => AlertChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_alert_rule_channel_channel' })
  channel?: AlertChannel;
}

/** A rule firing for one subject (a device, an interface, a poller group), from open to resolved. */
@Entity('alert_incident')
@Index('ix_alert_incident_opened', ['openedAt'])
@Index('uq_alert_incident_open', { synchronize: false })
@Index('ix_alert_incident_device', { synchronize: false })
export class AlertIncident {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  ruleId: string | null;

  @ManyToOne(() => AlertRule, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'rule_id', foreignKeyConstraintName: 'fk_alert_incident_rule' })
  rule?: AlertRule | null;

  @Column({ type: 'varchar', length: 200 })
  ruleName: string;

  @Column({ type: 'varchar', length: 30 })
  kind: RuleKind;

  /** What fires: a device id, `deviceId#ifIndex`, or `group:name`. One open incident per rule and subject. */
  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'uuid', nullable: true })
  deviceId: string | null;

  @ManyToOne(() => Device, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_alert_incident_device' })
  device?: Device | null;

  @Column({ type: 'int', nullable: true })
  ifIndex: number | null;

  /** Where it happened, for scoped readers: the device's unit path (the rule's, for a poller group). */
  @Column({ type: 'text' })
  placePath: string;

  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  /** One line, in Vietnamese, as notifications say it. */
  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'timestamptz' })
  openedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  acknowledgedBy: string | null;

  /** Opened during maintenance: recorded, never notified (nor its recovery). */
  @Column({ type: 'boolean', default: false })
  silenced: boolean;

  @Column({ type: 'int', default: 0 })
  reminders: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastNotifiedAt: Date | null;
}

/** The outbox: a notification stored with its incident, before anything is sent. */
@Entity('alert_delivery')
@Check('ck_alert_delivery_event', `"event" IN ('open', 'reminder', 'recovery')`)
@Check('ck_alert_delivery_status', `"status" IN ('pending', 'sending', 'sent', 'failed')`)
@Index('uq_alert_delivery_once', ['incidentId', 'channelId', 'event', 'seq'], { unique: true })
@Index('ix_alert_delivery_due', ['status', 'nextAttemptAt'])
export class AlertDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  incidentId: string;

  @ManyToOne(() => AlertIncident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_alert_delivery_incident' })
  incident?: AlertIncident;

  @Column({ type: 'uuid' })
  channelId: string;

  @ManyToOne(() => AlertChannel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_alert_delivery_channel' })
  channel?: AlertChannel;

  @Column({ type: 'varchar', length: 10 })
  event: DeliveryEvent;

  /** The reminder's number; 0 for the notice and the recovery. */
  @Column({ type: 'int', default: 0 })
  seq: number;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz' })
  nextAttemptAt: Date;

  /** A sender holds it until then; past it, a sender that died is presumed gone and another retries. */
  @Column({ type: 'timestamptz', nullable: true })
  claimedUntil: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  /** The message as it was when the incident changed: subject, text, and the webhook's JSON. */
  @Column({ type: 'jsonb' })
  message: { subject: string; text: string; payload: Record<string, unknown> };

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

@Entity('alert_delivery_attempt')
@Index('ix_alert_delivery_attempt_delivery', ['deliveryId', 'startedAt'])
export class AlertDeliveryAttempt {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deliveryId: string;

  @ManyToOne(() => AlertDelivery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'fk_alert_delivery_attempt_delivery' })
  delivery?: AlertDelivery;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'int' })
  durationMs: number;

  @Column({ type: 'boolean' })
  ok: boolean;

  /** The receiver's answer: an HTTP status and the start of its body, or the SMTP server's reply. */
  @Column({ type: 'text', nullable: true })
  response: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}

/** A trap a registered device sent, with valid credentials. */
@Entity('snmp_trap')
@Index('ix_snmp_trap_device', ['deviceId', 'receivedAt'])
export class SnmpTrap {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_snmp_trap_device' })
  device?: Device;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'varchar', length: 100 })
  source: string;

  @Column({ type: 'varchar', length: 2 })
  version: '2c' | '3';

  /** coldStart, warmStart, linkDown, linkUp; other traps are not kept. */
  @Column({ type: 'varchar', length: 20 })
  name: TrapName;

  @Column({ type: 'int', nullable: true })
  ifIndex: number | null;

  /** The trap's variable bindings, OID → value as text. */
  @Column({ type: 'jsonb' })
  varbinds: Record<string, string>;
}

export const ALERTING_ENTITIES = [AlertChannel, AlertRule, AlertRuleChannel, AlertIncident, AlertDelivery, AlertDeliveryAttempt, SnmpTrap];
