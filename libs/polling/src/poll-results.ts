import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsIP, IsNumber, IsNumberString, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateNested } from 'class-validator';
import type { DataSource } from 'typeorm';
import { agencyWithinSql, type FieldProblem, InventoryError, IsInstant, isInstant, type Principal } from '@app/inventory';
import { MAX_INTERFACES, MAX_NEIGHBOURS, MAX_SYS_DESCR, MAX_SYS_NAME, type SnmpFailure } from '@app/snmp';
import { applyPoll, TRAFFIC_SLOT_MS, type TrafficPoint } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollingStore, PollRecord } from './polling-store';

/** PostgreSQL's text cannot hold NUL: a poller sends agents' values through storableText (libs/snmp). */
const NO_NUL = /^[^\u0000]*$/;
const NUL_MESSAGE = '$property must not contain NUL characters (\\u0000)';
const FAILURES: SnmpFailure[] = ['timeout', 'auth', 'malformed', 'socket', 'unreachable', 'agent_error', 'invalid_target', 'unresolved'];
/** Results older than this are refused: the ledger is written in time order. */
const MAX_AGE_MS = 3_600_000;
const BEAT_EVERY_MS = 15_000;
/** A traffic point's slot begins at most this long before the poll that closed it (two intervals of a day). */
const MAX_POINT_AGE_MS = 2 * 86_400_000;

export class InterfaceResult {
  @IsInt()
  @Min(1)
  ifIndex: number;

  @IsOptional()
  @IsInt()
  operStatus: number | null = null;

  /** Absent when the poll did not read it (pollers read ifHighSpeed hourly). */
  @IsOptional()
  @IsInt()
  highSpeedMbps?: number | null;

  @IsOptional()
  @IsNumberString()
  inOctets: string | null = null;

  @IsOptional()
  @IsNumberString()
  outOctets: string | null = null;

  /** ifInErrors and ifOutErrors (Counter32). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4294967295)
  inErrors: number | null = null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4294967295)
  outErrors: number | null = null;
}

/** An instant on a multiple of 5 minutes (its format is IsInstant's to check: one message for a bad one). */
function IsSlotStart() {
  return ValidateBy({
    name: 'isSlotStart',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !isInstant(value) || Date.parse(value) % TRAFFIC_SLOT_MS === 0,
      defaultMessage: () => '$property must be the start of a 5-minute slot (an ISO 8601 instant on a multiple of 5 minutes)',
    },
  });
}

/** A 5-minute traffic point a remote poller closed: the averages over the seconds it measured in the slot. */
export class TrafficPointResult {
  @IsInt()
  @Min(1)
  ifIndex: number;

  @IsInstant()
  @IsSlotStart()
  at: string;

  // At most 10 Tbit/s: more is a counter gone wrong, not traffic.
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e13)
  inBps: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e13)
  outBps: number;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e9)
  inErrorsPerSecond: number | null = null;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1e9)
  outErrorsPerSecond: number | null = null;

  @IsInt()
  @Min(1)
  @Max(TRAFFIC_SLOT_MS / 1000)
  seconds: number;
}

/** What a device answered, as `readDevice` returns it. */
export class ReadingResult {
  // TimeTicks and Unsigned32 are 32-bit; snmpEngineBoots and snmpEngineTime stop at 2^31 - 1 (RFC 3414).
  @IsOptional() @IsInt() @Min(0) @Max(4294967295) sysUpTimeTicks: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(4294967295) hrSystemUptimeTicks: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(2147483647) engineBoots: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(2147483647) engineTimeSeconds: number | null = null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysName?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_DESCR) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysDescr?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysObjectID?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysLocation?: string | null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysContact?: string | null;

  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => InterfaceResult)
  interfaces: InterfaceResult[] = [];
}

export class FailureResult {
  @IsIn(FAILURES, { message: `reason must be one of ${FAILURES.join(', ')}` })
  reason: SnmpFailure;

  @IsString()
  @MaxLength(500)
  @Matches(NO_NUL, { message: NUL_MESSAGE })
  message: string;
}

export class PollResult {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  deviceId: string;

  @ApiProperty({ description: 'When the poll was sent (ISO 8601)' })
  @IsInstant()
  at: string;

  @ApiPropertyOptional({ description: 'The answer; give this or failure' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReadingResult)
  reading?: ReadingResult;

  @ApiPropertyOptional({ description: 'Why there was no answer' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FailureResult)
  failure?: FailureResult;

  @ApiPropertyOptional({ type: [TrafficPointResult], description: 'The 5-minute traffic points this poll closed (one per monitored interface per slot)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => TrafficPointResult)
  points?: TrafficPointResult[];
}

export class PollResults {
  @ApiProperty({ type: [PollResult] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => PollResult)
  items: PollResult[];
}

const NULLABLE_TEXT = 255;

/** One row of a device's interface list, as `readInterfaces` gives it (IF-MIB). */
export class InterfaceListingResult {
  @IsInt()
  @Min(1)
  @Max(2147483647)
  ifIndex: number;

  @IsString()
  @MinLength(1)
  @MaxLength(NULLABLE_TEXT)
  @Matches(NO_NUL, { message: NUL_MESSAGE })
  name: string;

  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) alias: string | null = null;
  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) descr: string | null = null;
  @IsOptional() @IsString() @MaxLength(50) @Matches(NO_NUL, { message: NUL_MESSAGE }) type: string | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(100_000_000) speedMbps: number | null = null;
  @IsOptional() @IsString() @MaxLength(20) @Matches(NO_NUL, { message: NUL_MESSAGE }) adminStatus: string | null = null;
  @IsOptional() @IsString() @MaxLength(20) @Matches(NO_NUL, { message: NUL_MESSAGE }) operStatus: string | null = null;
}

/** One LLDP neighbour a device hears, as `readNeighbours` gives it (LLDP-MIB). */
export class NeighbourListingResult {
  @IsInt()
  @Min(0)
  @Max(2147483647)
  localPortNum: number;

  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) localPort: string | null = null;
  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) chassisId: string | null = null;
  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) portId: string | null = null;
  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) portDescr: string | null = null;
  @IsOptional() @IsString() @MaxLength(NULLABLE_TEXT) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysName: string | null = null;
  @IsOptional() @IsIP(undefined, { message: '$property must be an IPv4 or IPv6 address' }) managementAddress: string | null = null;
}

export class DeviceListing {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  deviceId: string;

  @ApiProperty({ description: 'When it was read (ISO 8601)' })
  @IsInstant()
  at: string;

  @ApiPropertyOptional({ type: [InterfaceListingResult], description: 'The whole interface list (IF-MIB), when it was read' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_INTERFACES)
  @ValidateNested({ each: true })
  @Type(() => InterfaceListingResult)
  interfaces?: InterfaceListingResult[];

  @ApiPropertyOptional({ type: [NeighbourListingResult], description: 'Every LLDP neighbour it hears (an empty list: none), when they were read' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_NEIGHBOURS)
  @ValidateNested({ each: true })
  @Type(() => NeighbourListingResult)
  neighbours?: NeighbourListingResult[];
}

export class PollListings {
  @ApiProperty({ type: [DeviceListing] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DeviceListing)
  items: DeviceListing[];
}

/**
 * Poll results sent by a remote poller over the API (a poller token needs no database access):
 * applied to each device's state as the in-process poller applies its own, all or nothing.
 */
export class RemotePollResults {
  private readonly runs = new Map<string, { id: string; beat: number }>();
  /** When each device was last polled by a remote poller (the row is written on changes only). */
  private readonly polled = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly store: PollingStore,
    private readonly metrics: PollingMetrics,
    /** The group this process polls itself, whose results it does not take from others. */
    private readonly ownGroup: string | null,
  ) {}

  lastPolledAt(deviceId: string): number | undefined {
    return this.polled.get(deviceId);
  }

  accept(body: PollResults, caller: Principal, now = Date.now()): Promise<{ accepted: number; changed: number }> {
    // One batch at a time: two batches for one device must not interleave their state.
    const run = this.queue.then(() => this.apply(body, caller, now));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * A remote poller's interface lists and LLDP neighbours, checked as its results are, then written
   * as the in-process poller writes its own (the lists in one transaction; WAN links follow their
   * interfaces by name).
   */
  acceptListings(body: PollListings, caller: Principal, now = Date.now()): Promise<{ accepted: number }> {
    const run = this.queue.then(async () => {
      const { problems } = await this.checkDevices(body.items, caller, now);
      if (problems.length) throw InventoryError.invalid('The listings are not valid; none were recorded', problems);
      const lists = body.items.filter((i) => i.interfaces).map((i) => ({ deviceId: i.deviceId, listing: i.interfaces!, at: new Date(i.at) }));
      if (lists.length) await this.store.saveInterfacesMany(lists);
      const silent = body.items.filter((i) => i.neighbours?.length === 0).map((i) => i.deviceId);
      if (silent.length) await this.store.clearNeighbours(silent);
      for (const i of body.items) if (i.neighbours?.length) await this.store.saveNeighbours(i.deviceId, i.neighbours, new Date(i.at));
      return { accepted: body.items.length };
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The devices must be within the caller's scope, polled by a remote group, and the times recent. */
  private async checkDevices(items: ReadonlyArray<{ deviceId: string; at: string }>, caller: Principal, now: number): Promise<{ problems: FieldProblem[]; groups: string[] }> {
    const ids = [...new Set(items.map((r) => r.deviceId))];
    const params: unknown[] = [ids];
    const rows: Array<{ id: string; group: string | null }> = await this.ds.query(
      `SELECT d.id, p.poller_group AS "group" FROM device d LEFT JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
        WHERE d.id = ANY($1) AND ${agencyWithinSql(caller.scope, 'd.agency_id', params)}`,
      params,
    );
    const known = new Map(rows.map((r) => [r.id, r.group]));
    const problems: FieldProblem[] = [];
    items.forEach((r, i) => {
      const at = Date.parse(r.at);
      const group = known.get(r.deviceId);
      if (!known.has(r.deviceId)) problems.push({ field: `items[${i}].deviceId`, message: `no device ${r.deviceId} within your scope` });
      else if (group === null) problems.push({ field: `items[${i}].deviceId`, message: 'the device has no enabled SNMP profile' });
      else if (group === this.ownGroup) problems.push({ field: `items[${i}].deviceId`, message: `poller group ${group} is polled inside the API; its results come from there` });
      if (at > now + 60_000 || at < now - MAX_AGE_MS) problems.push({ field: `items[${i}].at`, message: 'must be within the last hour' });
    });
    return { problems, groups: [...new Set(rows.map((r) => r.group!).filter((g) => g !== null))] };
  }

  private async apply(body: PollResults, caller: Principal, now: number): Promise<{ accepted: number; changed: number }> {
    const { problems, groups } = await this.checkDevices(body.items, caller, now);
    body.items.forEach((r, i) => {
      if (!r.reading === !r.failure) problems.push({ field: `items[${i}]`, message: 'give exactly one of reading and failure' });
      // A point closes at the first poll after its slot; the time before it is at most two intervals of a day.
      (r.points ?? []).forEach((p, k) => {
        const late = Date.parse(r.at) - Date.parse(p.at);
        if (late < 0 || late > MAX_POINT_AGE_MS) problems.push({ field: `items[${i}].points[${k}].at`, message: 'must be a slot that began before the poll, at most two days before it' });
      });
    });
    if (problems.length) throw InventoryError.invalid('The poll results are not valid; none were recorded', problems);

    const ids = [...new Set(body.items.map((r) => r.deviceId))];
    const links = await this.store.carriedLinks(ids);
    const memories = await this.store.memories(ids);
    const records = new Map<string, PollRecord>();
    let changed = 0;
    for (const r of [...body.items].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
      const at = Date.parse(r.at);
      const memory = memories.get(r.deviceId)!;
      if (at > (this.polled.get(r.deviceId) ?? 0)) this.polled.set(r.deviceId, at);
      // The traffic points are the remote poller's: it alone saw each poll's counters.
      const step = applyPoll(memory, { at, reading: r.reading, failure: r.failure }, links.get(r.deviceId) ?? []);
      memories.set(r.deviceId, step.next);
      this.metrics.polled(r.reading ? null : (r.failure?.reason ?? 'timeout'));
      if (step.rebooted) this.metrics.reboots.inc();
      const points: TrafficPoint[] = (r.points ?? []).map((p) => ({ ...p, at: Date.parse(p.at) }));
      if (step.events.length || step.changed || points.length) {
        if (step.events.length || step.changed) changed++;
        const before = records.get(r.deviceId);
        records.set(r.deviceId, {
          deviceId: r.deviceId,
          memory: step.next,
          events: [...(before?.events ?? []), ...step.events],
          changed: step.changed || !!before?.changed,
          polledAt: at,
          points: [...(before?.points ?? []), ...points],
        });
      }
    }
    if (records.size) this.metrics.ledgerWrites.inc(await this.store.flush([...records.values()]));
    await this.beat(caller, groups, now);
    return { accepted: body.items.length, changed };
  }

  /** A remote poller's run, per token and group: time it covers is known time for availability. */
  private async beat(caller: Principal, groups: string[], now: number): Promise<void> {
    for (const group of groups) {
      const key = `${caller.tokenId}|${group}`;
      const run = this.runs.get(key);
      if (!run) this.runs.set(key, { id: await this.store.startRun(group, new Date(now)), beat: now });
      else if (now - run.beat >= BEAT_EVERY_MS) {
        run.beat = now;
        await this.store.beat(run.id, new Date(now));
      }
    }
  }
}
