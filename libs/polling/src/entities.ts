import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Agency, Device, WanLink } from '@app/inventory';
import type { InterfaceMemory } from './poll-state';

/** An interface in the latest-poll row: as the poller keeps it, with the counters' time in ISO 8601. */
export type InterfaceRow = Omit<InterfaceMemory, 'countersAt'> & { countersAt?: string | null };

export const SNMP_VERSIONS = ['2c', '3'] as const;
export const OUTAGE_CAUSES = ['unreachable', 'rebooted', 'interface_down'] as const;
export type OutageCause = (typeof OUTAGE_CAUSES)[number];
/**
 * `refused`: the device answers but refuses the credentials; `unresolved`: its management address
 * is a name that does not resolve. Neither up nor down: not known to be up.
 */
export const DEVICE_STATES = ['up', 'down', 'refused', 'unresolved'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];

/** The credential columns an SNMP profile and a named credential share (secrets sealed by SecretBox). */
abstract class CredentialColumns {
  @Column({ type: 'varchar', length: 2 })
  version: '2c' | '3';

  @Column({ type: 'text', nullable: true })
  communitySecret: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  v3User: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  authProtocol: string | null;

  @Column({ type: 'text', nullable: true })
  authKeySecret: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  privProtocol: string | null;

  @Column({ type: 'text', nullable: true })
  privKeySecret: string | null;
}

/** How to poll one device. Secrets are stored encrypted (SecretBox) and never returned. */
@Entity('snmp_profile')
@Check('ck_snmp_profile_version', `"version" IN ('2c', '3')`)
@Check('ck_snmp_profile_credentials', `("version" = '2c' AND "community_secret" IS NOT NULL) OR ("version" = '3' AND "v3_user" IS NOT NULL AND "auth_protocol" IS NOT NULL AND "auth_key_secret" IS NOT NULL)`)
@Check('ck_snmp_profile_priv', `("priv_protocol" IS NULL) = ("priv_key_secret" IS NULL)`)
@Check('ck_snmp_profile_numbers', `"port" BETWEEN 1 AND 65535 AND "timeout_ms" BETWEEN 100 AND 60000 AND "retries" BETWEEN 0 AND 10 AND "interval_seconds" BETWEEN 1 AND 86400`)
@Index('ix_snmp_profile_group', ['pollerGroup'])
export class SnmpProfile extends CredentialColumns {
  @PrimaryColumn({ type: 'uuid' })
  deviceId: string;

  @OneToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_snmp_profile_device' })
  device?: Device;


  @Column({ type: 'int', default: 161 })
  port: number;

  @Column({ type: 'int', default: 2000 })
  timeoutMs: number;

  @Column({ type: 'int', default: 1 })
  retries: number;

  @Column({ type: 'int', default: 300 })
  intervalSeconds: number;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Devices of a group are polled only by pollers of that group (a district network's own poller). */
  @Column({ type: 'varchar', length: 100, default: 'default' })
  pollerGroup: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** The latest poll of a device, written when something in it changes (not on every poll). */
@Entity('device_poll_state')
export class DevicePollState {
  @PrimaryColumn({ type: 'uuid' })
  deviceId: string;

  @OneToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_poll_state_device' })
  device?: Device;

  @Column({ type: 'varchar', length: 10 })
  state: DeviceState;

  /** Since when the device has been in this state. */
  @Column({ type: 'timestamptz' })
  since: Date;

  /** The poll that wrote this row (later polls that changed nothing are not written). */
  @Column({ type: 'timestamptz' })
  polledAt: Date;

  /** The last poll that got an answer. */
  @Column({ type: 'timestamptz', nullable: true })
  lastAnswerAt: Date | null;

  /** Which uptime the reboot check follows: hrSystemUptime, sysUpTime or snmpEngineTime. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  uptimeSource: string | null;

  /** The uptime reading (hundredths) at lastAnswerAt. */
  @Column({ type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  uptimeTicks: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  bootedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  engineBoots: number | null;

  /** Since when the device's uptime has not moved between answers (a frozen agent clock); null while it moves. */
  @Column({ type: 'timestamptz', nullable: true })
  uptimeFrozenSince: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysName: string | null;

  @Column({ type: 'text', nullable: true })
  sysDescr: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysObjectId: string | null;

  /** sysLocation and sysContact as the device's admin set them; the device list's `q` searches them. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  sysLocation: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysContact: string | null;

  /** Why the poller could not fill the device's serial, model or manufacturer (field and reason); null when it could. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  chassisProblem: string | null;

  /**
   * ifIndex → ifOperStatus, ifHighSpeed of the interfaces that carry WAN links, and their octet
   * counters and traffic as of the poll that wrote the row (the row is written on state changes only).
   */
  @Column({ type: 'jsonb' })
  interfaces: Record<string, InterfaceRow>;

  @Column({ type: 'varchar', length: 20, nullable: true })
  lastFailure: string | null;

  @Column({ type: 'text', nullable: true })
  lastFailureMessage: string | null;
}

/** The outage ledger: one row per incident. An open outage has no end. */
@Entity('outage')
@Check('ck_outage_cause', `"cause" IN ('unreachable', 'rebooted', 'interface_down')`)
@Check('ck_outage_interval', `"ended_at" IS NULL OR "ended_at" >= "started_at"`)
@Index('ix_outage_device_started', ['deviceId', 'startedAt'])
@Index('uq_outage_open', { synchronize: false })
export class Outage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_outage_device' })
  device?: Device;

  @Column({ type: 'varchar', length: 20 })
  cause: OutageCause;

  /** Interface outages: the interface and the WAN link it carries. */
  @Column({ type: 'int', nullable: true })
  ifIndex: number | null;

  @Column({ type: 'uuid', nullable: true })
  wanLinkId: string | null;

  @ManyToOne(() => WanLink, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'wan_link_id', foreignKeyConstraintName: 'fk_outage_wan_link' })
  wanLink?: WanLink | null;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;
}

/**
 * When a device was being watched: from its first poll until its profile is disabled or removed.
 * Together with poller runs it says which time is known; the rest is unknown.
 */
@Entity('device_monitoring')
@Index('ix_device_monitoring_device', ['deviceId', 'startedAt'])
export class DeviceMonitoring {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_monitoring_device' })
  device?: Device;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

/** One run of a poller process: it beats while it runs; a crash leaves the last beat as its end. */
@Entity('poller_run')
@Index('ix_poller_run_group', ['pollerGroup', 'startedAt'])
export class PollerRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100 })
  pollerGroup: string;

  @Column({ type: 'varchar', length: 255 })
  host: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz' })
  lastBeatAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  stoppedAt: Date | null;

  /**
   * As of the last beat: the devices this run has not polled for two of their intervals or more
   * (device id → its last poll, ms, or null when never), at most OVERDUE_LIMIT of them.
   */
  @Column({ type: 'jsonb', nullable: true })
  overdue: Record<string, number | null> | null;
}

/** Declared maintenance: excluded from availability. For one device, or every device of an agency. */
@Entity('maintenance_window')
@Check('ck_maintenance_window_scope', `("device_id" IS NULL) <> ("agency_id" IS NULL)`)
@Check('ck_maintenance_window_interval', `"ends_at" > "starts_at"`)
@Index('ix_maintenance_window_device', ['deviceId'])
@Index('ix_maintenance_window_agency', ['agencyId'])
export class MaintenanceWindow {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', nullable: true })
  deviceId: string | null;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_maintenance_window_device' })
  device?: Device | null;

  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  @ManyToOne(() => Agency, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_maintenance_window_agency' })
  agency?: Agency | null;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  @Column({ type: 'varchar', length: 500 })
  reason: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * An interface of a polled device, as IF-MIB lists it (read at the device's first answer to a
 * poller, then hourly). Known by its name, as admins know it: a device that renumbers its ifIndex
 * after a reboot keeps its rows (and what they carry). One that leaves the list is kept, gone.
 */
@Entity('device_interface')
@Index('uq_device_interface_live', { synchronize: false })
@Index('ix_device_interface_device_name', ['deviceId', 'name'])
@Index('ix_device_interface_monitored', { synchronize: false })
export class DeviceInterface {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_interface_device' })
  device?: Device;

  @Column({ type: 'int' })
  ifIndex: number;

  /** ifName, else ifDescr. */
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  alias: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  descr: string | null;

  /** IANAifType as a word (ethernetCsmacd, l2vlan, softwareLoopback, …). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  type: string | null;

  @Column({ type: 'int', nullable: true })
  speedMbps: number | null;

  /** ifAdminStatus and ifOperStatus as words, as of the last listing. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  adminStatus: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  operStatus: string | null;

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  /** The last listing that changed anything on the device's list (an unchanged listing writes nothing). */
  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  /**
   * Polled at every poll of the device (status, counters) and its going down an outage of it, as
   * an admin chose (an uplink, a data-centre port). Interfaces that carry a WAN link are polled so
   * whatever this says.
   */
  @Column({ type: 'boolean', default: false })
  monitored: boolean;

  /** When it left the device's list (a module taken out, a VLAN deleted); null while listed. */
  @Column({ type: 'timestamptz', nullable: true })
  goneAt: Date | null;
}

export const INTERFACE_EVENTS = ['appeared', 'disappeared', 'renamed', 'renumbered'] as const;
export type InterfaceEventKind = (typeof INTERFACE_EVENTS)[number];

/** A change in a device's interface list: what admins look for after a reboot or a module swap. */
@Entity('interface_event')
@Check('ck_interface_event_kind', `"kind" IN ('appeared', 'disappeared', 'renamed', 'renumbered')`)
@Index('ix_interface_event_device_at', ['deviceId', 'at'])
export class InterfaceEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_interface_event_device' })
  device?: Device;

  @Column({ type: 'uuid' })
  interfaceId: string;

  @ManyToOne(() => DeviceInterface, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'interface_id', foreignKeyConstraintName: 'fk_interface_event_interface' })
  interface?: DeviceInterface;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'varchar', length: 20 })
  kind: InterfaceEventKind;

  /** The interface's ifIndex and name after the change. */
  @Column({ type: 'int' })
  ifIndex: number;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Before it: the previous name (renamed) or ifIndex (renumbered). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  previous: string | null;
}

/**
 * Traffic of an interface over a period: averages over the seconds measured in it (in and out bits
 * per second, errors per second), and for rolled-up periods the busiest 5-minute point.
 */
abstract class TrafficColumns {
  @PrimaryColumn({ type: 'uuid' })
  interfaceId: string;

  // No foreign key (checking it cost a third of writing a point): a trigger on device_interface
  // deletes an interface's points with it (migration TrafficWithoutForeignKeys1765900000000).
  @ManyToOne(() => DeviceInterface, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'interface_id' })
  interface?: DeviceInterface;

  /** Start of the period. */
  @PrimaryColumn({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'double precision' })
  inBps: number;

  @Column({ type: 'double precision' })
  outBps: number;

  @Column({ type: 'double precision', nullable: true })
  inErrorsPerSecond: number | null;

  @Column({ type: 'double precision', nullable: true })
  outErrorsPerSecond: number | null;

  /** Seconds of it measured (a period the poller only partly saw averages over what it saw). */
  @Column({ type: 'int' })
  seconds: number;
}

/** 5-minute points, kept 35 days (a whole month's 95th percentile, as providers bill, can be taken until the next one ends). */
@Entity('traffic_5m')
@Index('ix_traffic_5m_at', { synchronize: false })
export class Traffic5m extends TrafficColumns {}

abstract class RolledUpTraffic extends TrafficColumns {
  @Column({ type: 'double precision' })
  inMaxBps: number;

  @Column({ type: 'double precision' })
  outMaxBps: number;
}

/** Hourly points, rolled up from the 5-minute ones, kept 13 months. */
@Entity('traffic_1h')
@Index('ix_traffic_1h_at', { synchronize: false })
export class Traffic1h extends RolledUpTraffic {}

/** Daily points, rolled up from the hourly ones, kept 5 years. */
@Entity('traffic_1d')
export class Traffic1d extends RolledUpTraffic {}

/** How far each roll-up has been done: hours (from 5-minute points) and days (from hours) before `doneUntil` are complete. */
@Entity('traffic_rollup')
export class TrafficRollupState {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  resolution: string;

  @Column({ type: 'timestamptz' })
  doneUntil: Date;
}

/**
 * SNMP credentials kept under a name ("v2c-xa", "v3-sotttt"), for discovery to try and for the
 * devices it registers to be polled with. Secrets sealed (SecretBox), never returned.
 */
@Entity('snmp_credential')
@Check('ck_snmp_credential_version', `"version" IN ('2c', '3')`)
@Check('ck_snmp_credential_secrets', `("version" = '2c' AND "community_secret" IS NOT NULL) OR ("version" = '3' AND "v3_user" IS NOT NULL AND "auth_protocol" IS NOT NULL AND "auth_key_secret" IS NOT NULL)`)
@Check('ck_snmp_credential_priv', `("priv_protocol" IS NULL) = ("priv_key_secret" IS NULL)`)
export class SnmpCredential extends CredentialColumns {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;


  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export const DISCOVERY_STATES = ['running', 'done', 'cancelled', 'interrupted'] as const;
export type DiscoveryState = (typeof DISCOVERY_STATES)[number];

/** What a discovery was asked to probe, as given (no secrets: credentials by name). */
export interface DiscoveryRequest {
  cidr: string | null;
  addresses: string[] | null;
  credentials: string[];
  port: number;
  timeoutMs: number;
  retries: number;
  ratePerSecond: number;
}

/** A sweep of addresses for SNMP agents, run by the API in the background; its answers are DiscoveryResults. */
@Entity('discovery')
@Check('ck_discovery_state', `"state" IN ('running', 'done', 'cancelled', 'interrupted')`)
@Index('ix_discovery_started', ['startedAt'])
export class Discovery {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Who started it, as the audit log names them; a caller with a narrower scope than the country sees only their own. */
  @Column({ type: 'varchar', length: 200 })
  requestedBy: string;

  @Column({ type: 'varchar', length: 20 })
  state: DiscoveryState;

  @Column({ type: 'jsonb' })
  request: DiscoveryRequest;

  /** Addresses to probe, probed so far, and of those the ones where an agent answered a credential. */
  @Column({ type: 'int' })
  total: number;

  @Column({ type: 'int', default: 0 })
  probed: number;

  @Column({ type: 'int', default: 0 })
  answered: number;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

export const DISCOVERY_OUTCOMES = ['answered', 'refused', 'error'] as const;
export type DiscoveryOutcome = (typeof DISCOVERY_OUTCOMES)[number];

/**
 * An address where something answered: an agent that answered one of the credentials (what it
 * says of itself), or one that refused them all or answered with an error (`problem` says how).
 * Addresses where nothing answered are only counted.
 */
@Entity('discovery_result')
@Check('ck_discovery_result_outcome', `"outcome" IN ('answered', 'refused', 'error')`)
@Index('uq_discovery_result_address', ['discoveryId', 'address'], { unique: true })
export class DiscoveryResult {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  discoveryId: string;

  @ManyToOne(() => Discovery, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'discovery_id', foreignKeyConstraintName: 'fk_discovery_result_discovery' })
  discovery?: Discovery;

  @Column({ type: 'varchar', length: 45 })
  address: string;

  @Column({ type: 'varchar', length: 10 })
  outcome: DiscoveryOutcome;

  /** The credential that answered (by name). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  credentialName: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  problem: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysName: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  sysDescr: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysObjectId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysLocation: string | null;

  /** ENTITY-MIB's chassis, else the maker from sysObjectID's enterprise number. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  manufacturer: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  serialNumber: string | null;

  @Column({ type: 'timestamptz' })
  probedAt: Date;
}

/**
 * A neighbour a polled device hears over LLDP on one of its ports, as of the last listing that
 * changed anything (read with the interface list, hourly). Matched to a registered device when
 * asked (by management address, else by name = sysName).
 */
@Entity('device_neighbour')
@Index('ix_device_neighbour_device', ['deviceId', 'localPortNum'])
export class DeviceNeighbour {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_neighbour_device' })
  device?: Device;

  /** lldpRemLocalPortNum, and the local port as LLDP names it (usually the interface's name). */
  @Column({ type: 'int' })
  localPortNum: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  localPort: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  chassisId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  portId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  portDescr: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  sysName: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  managementAddress: string | null;

  /** When this neighbour was first heard on this port, and the last listing that changed the device's neighbours. */
  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;
}

export const POLLING_ENTITIES = [SnmpProfile, DevicePollState, Outage, DeviceMonitoring, PollerRun, MaintenanceWindow, DeviceInterface, InterfaceEvent, Traffic5m, Traffic1h, Traffic1d, TrafficRollupState, SnmpCredential, Discovery, DiscoveryResult, DeviceNeighbour];
