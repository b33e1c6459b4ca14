import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumberString, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import type { DataSource } from 'typeorm';
import { agencyWithinSql, type FieldProblem, InventoryError, IsInstant, type Principal } from '@app/inventory';
import { MAX_SYS_DESCR, MAX_SYS_NAME, type SnmpFailure } from '@app/snmp';
import { applyPoll } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollingStore, PollRecord } from './polling-store';

/** PostgreSQL's text cannot hold NUL: a poller sends agents' values through storableText (libs/snmp). */
const NO_NUL = /^[^\u0000]*$/;
const NUL_MESSAGE = '$property must not contain NUL characters (\\u0000)';
const FAILURES: SnmpFailure[] = ['timeout', 'auth', 'malformed', 'socket', 'unreachable', 'agent_error', 'invalid_target', 'unresolved'];
/** Results older than this are refused: the ledger is written in time order. */
const MAX_AGE_MS = 3_600_000;
const BEAT_EVERY_MS = 15_000;

export class InterfaceResult {
  @IsInt()
  @Min(1)
  ifIndex: number;

  @IsOptional()
  @IsInt()
  operStatus: number | null = null;

  @IsOptional()
  @IsInt()
  highSpeedMbps: number | null = null;

  @IsOptional()
  @IsNumberString()
  inOctets: string | null = null;

  @IsOptional()
  @IsNumberString()
  outOctets: string | null = null;
}

/** What a device answered, as `readDevice` returns it. */
export class ReadingResult {
  // TimeTicks and Unsigned32 are 32-bit; snmpEngineBoots and snmpEngineTime stop at 2^31 - 1 (RFC 3414).
  @IsOptional() @IsInt() @Min(0) @Max(4294967295) sysUpTimeTicks: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(4294967295) hrSystemUptimeTicks: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(2147483647) engineBoots: number | null = null;
  @IsOptional() @IsInt() @Min(0) @Max(2147483647) engineTimeSeconds: number | null = null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysName: string | null = null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_DESCR) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysDescr: string | null = null;
  @IsOptional() @IsString() @MaxLength(MAX_SYS_NAME) @Matches(NO_NUL, { message: NUL_MESSAGE }) sysObjectID: string | null = null;
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

  private async apply(body: PollResults, caller: Principal, now: number): Promise<{ accepted: number; changed: number }> {
    const ids = [...new Set(body.items.map((r) => r.deviceId))];
    const params: unknown[] = [ids];
    const rows: Array<{ id: string; group: string | null }> = await this.ds.query(
      `SELECT d.id, p.poller_group AS "group" FROM device d LEFT JOIN snmp_profile p ON p.device_id = d.id AND p.enabled
        WHERE d.id = ANY($1) AND ${agencyWithinSql(caller.scope, 'd.agency_id', params)}`,
      params,
    );
    const known = new Map(rows.map((r) => [r.id, r.group]));
    const problems: FieldProblem[] = [];
    body.items.forEach((r, i) => {
      const at = Date.parse(r.at);
      const group = known.get(r.deviceId);
      if (!known.has(r.deviceId)) problems.push({ field: `items[${i}].deviceId`, message: `no device ${r.deviceId} within your scope` });
      else if (group === null) problems.push({ field: `items[${i}].deviceId`, message: 'the device has no enabled SNMP profile' });
      else if (group === this.ownGroup) problems.push({ field: `items[${i}].deviceId`, message: `poller group ${group} is polled inside the API; its results come from there` });
      if (!r.reading === !r.failure) problems.push({ field: `items[${i}]`, message: 'give exactly one of reading and failure' });
      if (at > now + 60_000 || at < now - MAX_AGE_MS) problems.push({ field: `items[${i}].at`, message: 'must be within the last hour' });
    });
    if (problems.length) throw InventoryError.invalid('The poll results are not valid; none were recorded', problems);

    const links = await this.store.carriedLinks(ids);
    const memories = await this.store.memories(ids);
    const records = new Map<string, PollRecord>();
    let changed = 0;
    for (const r of [...body.items].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
      const at = Date.parse(r.at);
      const memory = memories.get(r.deviceId)!;
      if (at > (this.polled.get(r.deviceId) ?? 0)) this.polled.set(r.deviceId, at);
      const step = applyPoll(memory, { at, reading: r.reading, failure: r.failure }, links.get(r.deviceId) ?? []);
      memories.set(r.deviceId, step.next);
      this.metrics.polled(r.reading ? null : (r.failure?.reason ?? 'timeout'));
      if (step.rebooted) this.metrics.reboots.inc();
      if (step.events.length || step.changed) {
        changed++;
        const before = records.get(r.deviceId);
        records.set(r.deviceId, { deviceId: r.deviceId, memory: step.next, events: [...(before?.events ?? []), ...step.events], changed: step.changed || !!before?.changed, polledAt: at });
      }
    }
    if (records.size) this.metrics.ledgerWrites.inc(await this.store.flush([...records.values()]));
    await this.beat(caller, [...new Set(rows.map((r) => r.group!))], now);
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
