import { type ChassisReading, type DeviceReading, type InterfaceListing, type NeighbourListing, readChassis, readDevice, readInterfaces, readNeighbours, SnmpClient, SnmpError, type SnmpTarget, vendorOf } from '@app/snmp';
import type { PollOutcome } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollingStore, PollRecord, PollTarget } from './polling-store';
import type { ListingToSave } from './interface-list';

/** A device as the SNMP client sees it: built once per device, as the client keeps its session by this object. */
export function snmpTargetOf(t: PollTarget): SnmpTarget {
  return { key: t.deviceId, address: t.address, port: t.port, timeoutMs: t.timeoutMs, retries: t.retries, credentials: t.credentials };
}

/** One poll of one device, counted in the metrics; failures become the outcome, never a throw. */
/** How often a device's sysLocation and sysContact are read again (and at its first answer to this poller). */
export const FACTS_EVERY_MS = 3_600_000;

/** What a poller keeps of a device between polls, as pollOnce needs it. */
export interface PolledEntry {
  snmp: SnmpTarget;
  ifIndexes: number[];
  /** When sysLocation and sysContact are next asked for (unset: at the next poll). */
  factsDueAt?: number;
  /** When the interface list is next read (unset: after the next answer). */
  interfacesDueAt?: number;
  /** The last listing written by this poller, and when: an unchanged one is written again only daily. */
  interfacesWritten?: { listing: string; at: number };
  /** The same for the device's LLDP neighbours. */
  neighboursWritten?: { listing: string; at: number };
}

/** Listings written together at most, and how long the first of a batch waits for others. */
const LISTINGS_PER_BATCH = 200;
const LISTING_WAIT_MS = 250;

/**
 * Gathers the interface listings a poller has read and writes them many devices to a transaction
 * (a new fleet's first hour lists ~28 devices a second: one transaction each cost a fifth of the
 * poller's CPU). Each save resolves when its batch is written; a batch the database refuses is
 * written device by device, so one device's bad list fails only that device.
 */
export class ListingWriter {
  private queue: Array<{ item: ListingToSave; done: (error?: Error) => void }> = [];
  /** Devices that hear no one over LLDP, most of a fleet: their old neighbours cleared in one statement per batch. */
  private silent: Array<{ deviceId: string; done: (error?: Error) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Pick<PollingStore, 'saveInterfacesMany' | 'saveNeighbours' | 'clearNeighbours'>) {}

  /** A device's LLDP neighbours: an empty list waits for the batch; a device that hears others is written at once (few are). */
  saveNeighbours(deviceId: string, listing: readonly NeighbourListing[], at: Date): Promise<unknown> {
    if (listing.length > 0) return this.store.saveNeighbours(deviceId, listing, at);
    return new Promise<void>((resolve, reject) => {
      this.silent.push({ deviceId, done: (error) => (error ? reject(error) : resolve()) });
      this.timer ??= setTimeout(() => void this.flush(), LISTING_WAIT_MS).unref();
    });
  }

  saveInterfaces(deviceId: string, listing: readonly InterfaceListing[], at: Date): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // A device listed again before its batch was written: the newer listing replaces it.
      const waiting = this.queue.findIndex((q) => q.item.deviceId === deviceId);
      if (waiting >= 0) this.queue.splice(waiting, 1)[0].done();
      this.queue.push({ item: { deviceId, listing, at }, done: (error) => (error ? reject(error) : resolve()) });
      if (this.queue.length >= LISTINGS_PER_BATCH) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), LISTING_WAIT_MS).unref();
    });
  }

  /** Writes what is waiting; resolves when every batch so far is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    const silent = this.silent;
    this.silent = [];
    this.writing = this.writing.then(async () => {
      if (silent.length > 0) {
        try {
          await this.store.clearNeighbours(silent.map((x) => x.deviceId));
          for (const x of silent) x.done();
        } catch (error) {
          for (const x of silent) x.done(error as Error);
        }
      }
      if (batch.length === 0) return;
      try {
        await this.store.saveInterfacesMany(batch.map((b) => b.item));
        for (const b of batch) b.done();
      } catch {
        for (const b of batch) {
          try {
            await this.store.saveInterfacesMany([b.item]);
            b.done();
          } catch (error) {
            b.done(error as Error);
          }
        }
      }
    });
    return this.writing;
  }
}

/** An unchanged interface listing is written again (its lastSeenAt) this often. */
export const INTERFACES_REWRITE_MS = 86_400_000;

/** Devices whose first interface listing may come at their next answer; past that, listings are spread. */
const INTERFACES_AT_ONCE = 100;

/**
 * Entries a poller has just taken on (a start, a group re-pointed): when they are many, their first
 * interface listings are spread over the hour instead of all walked and written in the first cycle.
 * A few (a profile saved) are listed at their next answer.
 */
export function spreadFirstListings(entries: PolledEntry[], now: number): void {
  const step = entries.length > INTERFACES_AT_ONCE ? INTERFACES_EVERY_MS / entries.length : 0;
  entries.forEach((e, n) => (e.interfacesDueAt = now + Math.floor(step * n)));
}

/** How often a device's interface list (IF-MIB) is read again; also at its first answer to a poller and when its profile is saved. */
export const INTERFACES_EVERY_MS = 3_600_000;

/**
 * After an answer, when due: the device's interfaces from IF-MIB, saved with what changed. A walk
 * that fails is logged and tried again at the next due time, never in every poll.
 */
export async function refreshInterfaces(
  client: SnmpClient,
  store: { saveInterfaces(deviceId: string, listing: readonly InterfaceListing[], at: Date): Promise<unknown>; saveNeighbours(deviceId: string, listing: readonly NeighbourListing[], at: Date): Promise<unknown> },
  deviceId: string,
  entry: PolledEntry,
  at: number,
  log?: { warn(message: string): void },
): Promise<void> {
  if ((entry.interfacesDueAt ?? 0) > at) return;
  entry.interfacesDueAt = at + INTERFACES_EVERY_MS;
  try {
    const listing = await readInterfaces(client, entry.snmp);
    // Most hours nothing changed: no transaction for the same list again (statuses are in it, so a port going down is written).
    const text = JSON.stringify(listing);
    const last = entry.interfacesWritten;
    if (!last || last.listing !== text || at - last.at >= INTERFACES_REWRITE_MS) {
      await store.saveInterfaces(deviceId, listing, new Date(at));
      entry.interfacesWritten = { listing: text, at };
    }
  } catch (error) {
    log?.warn(`The interfaces of device ${deviceId} were not read: ${(error as Error).message}`);
  }
  try {
    // LLDP neighbours on the same schedule; an agent without LLDP-MIB answers an empty table.
    const neighbours = await readNeighbours(client, entry.snmp);
    const text = JSON.stringify(neighbours);
    const last = entry.neighboursWritten;
    if (last?.listing !== text) await store.saveNeighbours(deviceId, neighbours, new Date(at));
    entry.neighboursWritten = { listing: text, at };
  } catch (error) {
    log?.warn(`The LLDP neighbours of device ${deviceId} were not read: ${(error as Error).message}`);
  }
}

export async function pollOnce(client: SnmpClient, entry: PolledEntry, at: number, metrics: PollingMetrics, clock: () => number): Promise<PollOutcome> {
  const outcome: PollOutcome = { at };
  const started = clock();
  try {
    const facts = (entry.factsDueAt ?? 0) <= at;
    outcome.reading = await readDevice(client, entry.snmp, entry.ifIndexes, facts);
    if (facts) entry.factsDueAt = at + FACTS_EVERY_MS;
    metrics.polled(null);
  } catch (error) {
    const e = error instanceof SnmpError ? error : new SnmpError('socket', (error as Error).message);
    outcome.failure = { reason: e.reason, message: e.message };
    metrics.polled(e.reason);
  } finally {
    metrics.duration.observe((clock() - started) / 1000);
  }
  return outcome;
}

/** Longest chassis problem kept in the device's state (the column's size). */
const MAX_CHASSIS_PROBLEM = 1000;

/**
 * After a device's first answer: fill its empty serial, model and manufacturer from ENTITY-MIB,
 * once; the manufacturer from the enterprise number of its sysObjectID where ENTITY-MIB names none
 * (many switches and firewalls have no chassis row, or an empty entPhysicalMfgName).
 * Returns what went wrong, field by field, for the device's state (null: nothing did), or
 * undefined when it did not try (already filled or tried).
 */
export async function fillChassisOnce(
  client: SnmpClient,
  store: Pick<PollingStore, 'fillChassis'>,
  t: Pick<PollTarget, 'deviceId' | 'wantsChassis'>,
  target: SnmpTarget,
  reading: Pick<DeviceReading, 'sysObjectID'>,
  log?: { warn(message: string): void },
): Promise<string | null | undefined> {
  if (!t.wantsChassis) return undefined;
  t.wantsChassis = false;
  const problems: string[] = [];
  let chassis: ChassisReading | null = null;
  try {
    chassis = await readChassis(client, target);
  } catch (error) {
    problems.push(`ENTITY-MIB could not be read: ${(error as Error).message}`);
  }
  const found = { serialNumber: chassis?.serialNumber ?? null, model: chassis?.model ?? null, manufacturer: chassis?.manufacturer ?? vendorOf(reading.sysObjectID) };
  if (found.serialNumber || found.model || found.manufacturer) {
    try {
      problems.push(...(await store.fillChassis(t.deviceId, found)).problems);
    } catch (error) {
      problems.push(`not filled: ${(error as Error).message}`);
    }
  }
  if (problems.length === 0) return null;
  const problem = problems.join('; ');
  log?.warn(`The chassis of device ${t.deviceId}: ${problem}`);
  return problem.length > MAX_CHASSIS_PROBLEM ? `${problem.slice(0, MAX_CHASSIS_PROBLEM - 1)}…` : problem;
}

/** The SNMP client of a poller: socket errors counted and logged. */
export function pollerClient(options: { sockets: number; maxInFlight: number; log?: { error(message: string): void } }, metrics: PollingMetrics): SnmpClient {
  return new SnmpClient({
    sockets: options.sockets,
    maxInFlight: options.maxInFlight,
    onSocketError: (error) => {
      metrics.socketErrors.inc();
      options.log?.error(`SNMP socket error: ${error.message}`);
    },
  });
}

/** Poll results waiting for the database, at most. */
const MAX_PENDING = 200_000;
const SET_ASIDE_KEPT = 100;

/**
 * Poll results on their way to the database, written in batches. A batch the database cannot take
 * for a reason of its own (restarting, unreachable) is kept and retried, up to a bound: past it the
 * oldest are dropped, and the log says so, rather than memory growing without end. A batch refused
 * for its data is halved until the results that fail alone are found: those are set aside with
 * their reason (log, metrics, /health), and every other result is written. One bad value from one
 * agent never holds back the others.
 */
export class PendingWrites {
  private pending: PollRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<PollingStore, 'flush'>,
    private readonly metrics: PollingMetrics,
    private readonly log?: { error(message: string): void },
    private readonly clock: () => number = Date.now,
  ) {}

  push(record: PollRecord): void {
    this.pending.push(record);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      // Halves of a refused batch, first half on top: results of one device stay in time order.
      const parts: PollRecord[][] = [batch];
      while (parts.length > 0) {
        const part = parts.pop()!;
        try {
          this.metrics.ledgerWrites.inc(await this.store.flush(part));
        } catch (error) {
          if (!refusedForItsData(error)) {
            this.retryLater([...part, ...parts.reverse().flat()], error);
            return;
          }
          if (part.length === 1) this.putAside(part[0], error);
          else parts.push(part.slice(part.length >> 1), part.slice(0, part.length >> 1));
        }
      }
      this.metrics.writer.failingSince = null;
      this.metrics.writer.lastError = null;
      this.metrics.writer.pending = this.pending.length;
    });
    return this.flushing;
  }

  private retryLater(unwritten: PollRecord[], error: unknown): void {
    this.pending = unwritten.concat(this.pending);
    const over = this.pending.length - MAX_PENDING;
    if (over > 0) this.pending.splice(0, over);
    const message = (error as Error).message.slice(0, 500);
    this.metrics.writer.failingSince ??= this.clock();
    this.metrics.writer.lastError = message;
    this.metrics.writer.pending = this.pending.length;
    this.log?.error(`writing ${unwritten.length} poll results failed${over > 0 ? `; dropped the ${over} oldest` : ''}, will retry: ${message}`);
  }

  private putAside(record: PollRecord, error: unknown): void {
    const reason = (error as Error).message.slice(0, 300);
    const kept = this.metrics.writer.setAside;
    kept.push({ deviceId: record.deviceId, polledAt: new Date(record.polledAt).toISOString(), reason });
    if (kept.length > SET_ASIDE_KEPT) kept.splice(0, kept.length - SET_ASIDE_KEPT);
    this.metrics.setAside.inc();
    this.log?.error(`the poll result of device ${record.deviceId} at ${new Date(record.polledAt).toISOString()} was set aside, the database refused it: ${reason}`);
  }
}

/**
 * The database refused these rows for what they hold (SQLSTATE class 22: data exception, such as
 * a NUL byte or a value too long; 23: a constraint; 54: a limit), not for its own state: the same
 * rows would fail again, so retrying them as they are would stall every other device.
 */
export function refusedForItsData(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e?.driverError?.code === 'string' ? e.driverError.code : typeof e?.code === 'string' ? e.code : '';
  return /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}
