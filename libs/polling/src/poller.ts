import { createHash } from 'node:crypto';
import type { SnmpClient, SnmpTarget } from '@app/snmp';
import { PollLoop } from './poll-loop';
import { fillChassisOnce, ListingWriter, PendingWrites, type PolledEntry, pollerClient, pollOnce, refreshInterfaces, snmpTargetOf, spreadFirstListings } from './poll-once';
import { applyPoll, type DeviceMemory, emptyMemory, type PollOutcome, takeOpenSlots, trafficHeartbeatSeconds } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollTarget, PollingStore } from './polling-store';

export interface PollerOptions {
  group: string;
  /** Sockets per address family and requests in flight, shared by every device. */
  sockets: number;
  maxInFlight: number;
  /** How often the list of devices is re-read (profile changes also reload at once). */
  reloadEveryMs?: number;
  /** How often pending ledger writes are flushed. */
  flushEveryMs?: number;
  clock?: () => number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

/** How often a poller marks itself alive; availability counts a run as watching until its last beat. */
export const BEAT_EVERY_MS = 15_000;

/** The most overdue devices a beat reports. */
export const OVERDUE_LIMIT = 10_000;

interface Scheduled extends PolledEntry {
  target: PollTarget;
  /** Built once per device: the SNMP client keeps its session by this object. */
  snmp: SnmpTarget;
  ifIndexes: number[];
  /** When it was first scheduled: a device never polled is overdue from then. */
  scheduledAt: number;
  due: number;
  inFlight: boolean;
  removed: boolean;
}

/**
 * The in-process scheduler: every device is polled once per interval at a fixed phase within it
 * (spread by device id, so a fleet does not poll all at once), through one SnmpClient whose
 * sockets and requests in flight are bounded. Results become ledger events in memory and are
 * written in batches, only when something changed.
 */
export class Poller {
  readonly client: SnmpClient;
  private readonly devices = new Map<string, Scheduled>();
  private readonly memory = new Map<string, DeviceMemory>();
  private readonly loop: PollLoop<Scheduled>;
  private readonly writes: PendingWrites;
  /** Interface listings, written many devices to a transaction. */
  private readonly listings: ListingWriter;
  private readonly listingStore: Parameters<typeof refreshInterfaces>[1];
  private timers: NodeJS.Timeout[] = [];
  private runId?: string;
  private readonly clock: () => number;
  private reloading: Promise<void> | null = null;
  private reloadAgain: Promise<void> | null = null;
  private forceAgain = false;
  private loadedVersion: string | null = null;
  /** Devices scheduled, by state; kept up to date on every change instead of recounted. */
  private readonly counts = { up: 0, down: 0, refused: 0, unresolved: 0, unknown: 0 };

  constructor(
    private readonly store: PollingStore,
    private readonly metrics: PollingMetrics,
    private readonly options: PollerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.client = pollerClient(options, metrics);
    this.writes = new PendingWrites(store, metrics, options.log);
    this.listings = new ListingWriter(store);
    this.listingStore = { saveInterfaces: (deviceId, listing, at) => this.listings.saveInterfaces(deviceId, listing, at), saveNeighbours: (deviceId, listing, at) => this.listings.saveNeighbours(deviceId, listing, at) };
    this.loop = new PollLoop(this.clock, metrics, (entry, now) => this.pollOne(entry, now));
  }

  get scheduled(): number {
    return this.devices.size;
  }

  /** The live state of a device this poller watches. */
  state(deviceId: string): DeviceMemory | undefined {
    return this.memory.get(deviceId);
  }

  async start(): Promise<void> {
    this.runId = await this.store.startRun(this.options.group, new Date(this.clock()));
    await this.reload();
    // Devices loaded earlier (a burst before start) begin at their next slot, not all at once.
    const now = this.clock();
    this.loop.heap.clear();
    for (const entry of this.devices.values()) {
      entry.due = firstDue(entry.target, now);
      this.loop.heap.push(entry);
    }
    this.timers.push(setInterval(() => void this.reload().catch((e: Error) => this.options.log?.error(`reloading devices failed: ${e.message}`)), this.options.reloadEveryMs ?? 30_000));
    this.timers.push(setInterval(() => void this.flush(), this.options.flushEveryMs ?? 1000));
    this.timers.push(setInterval(() => void this.store.beat(this.runId!, new Date(this.clock()), this.overdue()).catch(() => undefined), BEAT_EVERY_MS));
    for (const t of this.timers) t.unref();
    this.loop.start();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.reloading?.catch(() => undefined);
    await this.loop.stop();
    await this.listings.flush();
    // The slots in progress are written as partial points, not lost with this process.
    const at = this.clock();
    for (const [deviceId, memory] of this.memory) {
      const points = takeOpenSlots(memory);
      if (points.length > 0) this.writes.push({ deviceId, memory, events: [], changed: false, polledAt: at, points });
    }
    await this.flush();
    if (this.runId) await this.store.stopRun(this.runId, new Date(this.clock()));
    await this.client.close();
  }

  /**
   * Re-reads the devices to poll when anything they depend on changed (profiles, devices, WAN
   * links): new ones are scheduled, changed ones re-keyed, gone ones stop being watched.
   */
  reload(force = false): Promise<void> {
    if (this.reloading) {
      // A change made while a reload was reading may not be in what it read (a profile saved just
      // after it read the version): read once more when it is done, not at the next timer, 30 s on.
      this.forceAgain ||= force;
      this.reloadAgain ??= this.reloading
        .catch(() => undefined)
        .then(() => {
          const forced = this.forceAgain;
          this.reloadAgain = null;
          this.forceAgain = false;
          return this.reload(forced);
        });
      return this.reloadAgain;
    }
    this.reloading = this.doReload(force).finally(() => (this.reloading = null));
    return this.reloading;
  }

  private async doReload(force = false): Promise<void> {
    const version = await this.store.version(this.options.group);
    if (!force && version === this.loadedVersion) return;
    const targets = await this.store.targets(this.options.group);
    this.loadedVersion = version;
    const seen = new Set<string>();
    const fresh = targets.filter((t) => !this.memory.has(t.deviceId)).map((t) => t.deviceId);
    const loaded = await this.store.memories(fresh);
    for (const [id, m] of loaded) this.memory.set(id, m);
    const now = this.clock();
    const renewed: Scheduled[] = [];
    for (const target of targets) {
      seen.add(target.deviceId);
      const existing = this.devices.get(target.deviceId);
      if (existing && existing.target.fingerprint === target.fingerprint) continue;
      if (existing) {
        existing.removed = true;
        this.client.forget(target.deviceId);
      } else {
        this.counts[this.memory.get(target.deviceId)?.state ?? 'unknown']++;
      }
      const entry: Scheduled = {
        target,
        snmp: snmpTargetOf(target),
        ifIndexes: target.links.map((l) => l.ifIndex),
        scheduledAt: existing?.scheduledAt ?? now,
        due: firstDue(target, now),
        inFlight: false,
        removed: false,
      };
      renewed.push(entry);
      this.devices.set(target.deviceId, entry);
      this.loop.heap.push(entry);
    }
    spreadFirstListings(renewed, now);
    const gone = [...this.devices.keys()].filter((id) => !seen.has(id));
    for (const id of gone) {
      this.counts[this.memory.get(id)?.state ?? 'unknown']--;
      this.devices.get(id)!.removed = true;
      this.devices.delete(id);
      this.memory.delete(id);
      this.client.forget(id);
    }
    await this.flush();
    if (gone.length > 0) await this.store.stopMonitoring(gone, new Date(now));
    this.countStates();
  }

  /** Polls every scheduled device once, now, regardless of phase (burst; used by the benchmark and "poll now"). */
  async pollAll(): Promise<void> {
    const entries = [...this.devices.values()];
    let next = 0;
    const worker = async () => {
      while (next < entries.length) await this.pollOne(entries[next++], this.clock());
    };
    await Promise.all(Array.from({ length: Math.min(this.options.maxInFlight, entries.length) }, worker));
    await this.flush();
  }

  async pollDevice(deviceId: string): Promise<DeviceMemory | undefined> {
    const entry = this.devices.get(deviceId);
    if (!entry) return undefined;
    await this.pollOne(entry, this.clock());
    await this.flush();
    return this.memory.get(deviceId);
  }

  private async pollOne(entry: Scheduled, at: number): Promise<void> {
    if (entry.inFlight) return;
    entry.inFlight = true;
    const t = entry.target;
    const target = entry.snmp;
    let outcome: PollOutcome;
    try {
      outcome = await pollOnce(this.client, entry, at, this.metrics, this.clock);
    } finally {
      entry.inFlight = false;
    }
    if (entry.removed) return;
    const stored = this.memory.get(t.deviceId);
    const memory = stored ?? emptyMemory();
    const was = memory.state;
    const step = applyPoll(memory, outcome, t.links, trafficHeartbeatSeconds(t.intervalSeconds));
    // One object per device, updated in place: the map holds it, so a new one each poll would
    // outlive the young generation and be copied into the old one, there to become garbage.
    if (stored) Object.assign(stored, step.next);
    else this.memory.set(t.deviceId, step.next);
    if (step.rebooted) this.metrics.reboots.inc();
    if (step.events.length > 0 || step.changed || step.points.length > 0) {
      this.writes.push({ deviceId: t.deviceId, memory: step.next, events: step.events, changed: step.changed, polledAt: at, points: step.points });
      if (was !== step.next.state) {
        this.counts[was ?? 'unknown']--;
        this.counts[step.next.state ?? 'unknown']++;
        this.countStates();
      }
    }
    if (outcome.reading) {
      const problem = await fillChassisOnce(this.client, this.store, t, target, { sysObjectID: outcome.reading.sysObjectID ?? this.memory.get(t.deviceId)?.sysObjectId ?? null }, this.options.log);
      const now = this.memory.get(t.deviceId);
      if (problem !== undefined && now && now.chassisProblem !== problem && !entry.removed) {
        now.chassisProblem = problem;
        this.writes.push({ deviceId: t.deviceId, memory: { ...now }, events: [], changed: true, polledAt: at });
      }
      // Checked here, not in the call: most polls have no listing due, and need no promise for it.
      if (!entry.removed && (entry.interfacesDueAt ?? 0) <= at) await refreshInterfaces(this.client, this.listingStore, t.deviceId, entry, at, this.options.log);
    }
  }

  /**
   * The devices not polled for two of their intervals or more (a poller that cannot keep up, a
   * device whose polls never finish): device id → its last poll (ms), null when never polled.
   * At most OVERDUE_LIMIT of them; written with each beat for the not_polled alert rule.
   */
  overdue(now = this.clock()): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    let n = 0;
    for (const [id, entry] of this.devices) {
      const last = this.memory.get(id)?.polledAt ?? null;
      if (now - (last ?? entry.scheduledAt) < 2 * entry.target.intervalSeconds * 1000) continue;
      out[id] = last;
      if (++n >= OVERDUE_LIMIT) break;
    }
    return out;
  }

  /** Writes what changed since the last flush. */
  flush(): Promise<void> {
    return this.writes.flush();
  }

  private countStates(): void {
    for (const [state, n] of Object.entries(this.counts)) this.metrics.devices.set({ state }, n);
  }

  /** Devices scheduled, by state. */
  stateCounts(): { up: number; down: number; unknown: number } {
    return { ...this.counts };
  }
}

/** Where in its interval a device is polled: spread by its id, the same in every process. */
export function phaseOf(deviceId: string, intervalMs: number): number {
  return createHash('sha1').update(deviceId).digest().readUInt32BE(0) % intervalMs;
}

/** The first moment at or after now that falls on the device's phase within its interval. */
export function firstDue(target: Pick<PollTarget, 'deviceId' | 'intervalSeconds'>, now: number): number {
  const interval = target.intervalSeconds * 1000;
  const phase = phaseOf(target.deviceId, interval);
  const slot = Math.floor((now - phase) / interval) * interval + phase;
  return slot >= now ? slot : slot + interval;
}
