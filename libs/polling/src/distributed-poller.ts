import { hostname } from 'node:os';
import { type Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { SnmpClient } from '@app/snmp';
import { fillChassisOnce, ListingWriter, PendingWrites, type PolledEntry, pollerClient, pollOnce, refreshInterfaces, snmpTargetOf, spreadFirstListings } from './poll-once';
import { phaseOf, BEAT_EVERY_MS } from './poller';
import { applyPoll, type DeviceMemory, emptyMemory } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollTarget, PollingStore } from './polling-store';

export interface DistributedPollerOptions {
  redisUrl: string;
  group: string;
  sockets: number;
  /** Jobs (polls) this worker runs at once. */
  maxInFlight: number;
  /** BullMQ key prefix (tests use their own). */
  prefix?: string;
  /** How long a job stays locked by a worker that stopped answering before another takes it. */
  lockDurationMs?: number;
  reloadEveryMs?: number;
  flushEveryMs?: number;
  clock?: () => number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
  /** Told of every poll this worker made: (device, slot). */
  onPolled?: (deviceId: string, slot: number) => void;
  /** Told when a job is taken, before the poll (tests use it to stall a worker). */
  onTaken?: (deviceId: string, slot: number) => Promise<void> | void;
}

/**
 * A poll job leaves nothing behind once done: BullMQ keeps finished jobs unless told otherwise,
 * and at 100,000 devices every minute that is 144 million jobs a day in Redis. The outcome is in
 * the device's state and the ledger; the last failed jobs (a worker's error, not a failed poll)
 * stay for a look.
 */
const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: { count: 1000 } };
const TEMPLATE_VERSION = 'r1';
const UPSERTS_AT_ONCE = 200;

/** Where Redis keeps a device's memory between polls, for the workers of its group and the API. */
export function pollMemoryKey(prefix: string, group: string, deviceId: string): string {
  return `${prefix}:poll-memory:${group}:${deviceId}`;
}

/**
 * The API's view of devices polled by BullMQ workers: when each was last polled, from the memory
 * the workers keep in Redis (the latest-poll row is written on changes only).
 */
export class SharedPollMemory {
  private readonly redis: IORedis;

  constructor(redisUrl: string, private readonly prefix = 'hatang') {
    this.redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  }

  async polledAt(group: string, deviceId: string): Promise<number | null> {
    const raw = await this.redis.get(pollMemoryKey(this.prefix, group, deviceId)).catch(() => null);
    return raw === null ? null : ((JSON.parse(raw) as SharedMemory).memory.polledAt ?? null);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** What Redis keeps of a device between polls, shared by every worker of the group. */
interface SharedMemory {
  memory: DeviceMemory;
  /** The last slot polled: a job for it or an earlier one is not polled again. */
  slot: number;
}

/**
 * Distributed mode: the workers of a poller group share its devices through BullMQ. One job
 * scheduler per device (a job per device per interval, its id carrying the slot, so two workers
 * never get the same slot twice); a worker that dies leaves its jobs locked until the lock
 * expires, then BullMQ's stalled-job check hands them to another worker. The device's poll state
 * lives in Redis so whichever worker polls next continues from it; ledger events and changed
 * latest-poll rows go to the database as in the single-process mode.
 */
export class DistributedPoller {
  readonly client: SnmpClient;
  readonly queueName: string;
  private readonly redis: IORedis;
  private queue?: Queue;
  private worker?: Worker;
  private targets = new Map<string, PolledEntry & { target: PollTarget }>();
  private loadedVersion: string | null = null;
  private readonly writes: PendingWrites;
  /** Interface listings, written many devices to a transaction. */
  private readonly listings: ListingWriter;
  private readonly listingStore: Parameters<typeof refreshInterfaces>[1];
  private timers: NodeJS.Timeout[] = [];
  private runId?: string;
  private syncing: Promise<void> | null = null;
  private readonly clock: () => number;
  private readonly key: (deviceId: string) => string;

  constructor(
    private readonly store: PollingStore,
    private readonly metrics: PollingMetrics,
    private readonly options: DistributedPollerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.queueName = `poll-${options.group}`;
    const prefix = options.prefix ?? 'hatang';
    this.key = (deviceId) => pollMemoryKey(prefix, options.group, deviceId);
    this.redis = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
    this.client = pollerClient(options, metrics);
    this.writes = new PendingWrites(store, metrics, options.log);
    this.listings = new ListingWriter(store);
    this.listingStore = { saveInterfaces: (deviceId, listing, at) => this.listings.saveInterfaces(deviceId, listing, at), saveNeighbours: (deviceId, listing, at) => this.listings.saveNeighbours(deviceId, listing, at) };
  }

  get scheduled(): number {
    return this.targets.size;
  }

  async start(): Promise<void> {
    const connection = { url: this.options.redisUrl, maxRetriesPerRequest: null };
    const prefix = this.options.prefix ?? 'hatang';
    this.queue = new Queue(this.queueName, { connection, prefix });
    this.runId = await this.store.startRun(this.options.group, new Date(this.clock()));
    await this.sync();
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    this.worker = new Worker(this.queueName, (job: Job<{ deviceId: string }>) => this.process(job), {
      connection,
      prefix,
      concurrency: this.options.maxInFlight,
      lockDuration,
      stalledInterval: Math.max(500, Math.floor(lockDuration / 2)),
      maxStalledCount: 5,
      name: `${hostname()}:${process.pid}`,
    });
    this.worker.on('error', (error) => this.options.log?.error(`poll worker: ${error.message}`));
    this.timers.push(setInterval(() => void this.sync().catch((e: Error) => this.options.log?.error(`syncing schedules failed: ${e.message}`)), this.options.reloadEveryMs ?? 30_000));
    this.timers.push(setInterval(() => void this.flush(), this.options.flushEveryMs ?? 1000));
    this.timers.push(setInterval(() => void this.store.beat(this.runId!, new Date(this.clock())).catch(() => undefined), BEAT_EVERY_MS));
    for (const t of this.timers) t.unref();
  }

  /** Stops taking jobs, lets the polls in flight finish, writes them, and leaves. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.syncing?.catch(() => undefined);
    await this.worker?.close();
    await this.listings.flush();
    await this.flush();
    if (this.runId) await this.store.stopRun(this.runId, new Date(this.clock()));
    await this.queue?.close();
    await this.client.close();
    this.redis.disconnect();
  }

  /** A crash, for tests: the worker stops at once, its jobs stay locked, nothing is written. */
  async crash(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.worker?.close(true);
    await this.queue?.close();
    await this.client.close();
    this.redis.disconnect();
  }

  /** Reads the group's devices when they changed, and makes one job scheduler per device. */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const version = await this.store.version(this.options.group);
    if (version === this.loadedVersion) return;
    const targets = await this.store.targets(this.options.group);
    const next = new Map<string, PolledEntry & { target: PollTarget }>();
    const renewed: PolledEntry[] = [];
    for (const t of targets) {
      const old = this.targets.get(t.deviceId);
      const entry = old && old.target.fingerprint === t.fingerprint ? old : { target: t, snmp: snmpTargetOf(t), ifIndexes: t.links.map((l) => l.ifIndex) };
      if (entry !== old) renewed.push(entry);
      next.set(t.deviceId, entry);
    }
    spreadFirstListings(renewed, this.clock());
    // Schedulers: one per device, upserted when its interval changed (any worker may do it; upserts are idempotent).
    const scheduledKey = `${this.options.prefix ?? 'hatang'}:poll-schedules:${this.options.group}`;
    const known = await this.redis.hgetall(scheduledKey);
    // The value names the interval and the job template (so a changed template is upserted once).
    const schedule = (t: PollTarget) => `${t.intervalSeconds * 1000}|${TEMPLATE_VERSION}`;
    const stale = targets.filter((t) => known[t.deviceId] !== schedule(t));
    // Upserts in batches of UPSERTS_AT_ONCE (one at a time, 20,000 devices took 9 s).
    for (let i = 0; i < stale.length; i += UPSERTS_AT_ONCE) {
      const batch = stale.slice(i, i + UPSERTS_AT_ONCE);
      await Promise.all(
        batch.map((t) => {
          const every = t.intervalSeconds * 1000;
          return this.queue!.upsertJobScheduler(t.deviceId, { every, offset: phaseOf(t.deviceId, every) }, { name: 'poll', data: { deviceId: t.deviceId }, opts: JOB_OPTIONS });
        }),
      );
      await this.redis.hset(scheduledKey, Object.fromEntries(batch.map((t) => [t.deviceId, schedule(t)])));
    }
    const gone = Object.keys(known).filter((id) => !next.has(id));
    for (const id of gone) {
      await this.queue!.removeJobScheduler(id);
      await this.redis.hdel(scheduledKey, id);
      await this.redis.del(this.key(id));
    }
    if (gone.length > 0) await this.store.stopMonitoring(gone, new Date(this.clock()));
    this.targets = next;
    this.loadedVersion = version;
  }

  private async process(job: Job<{ deviceId: string }>): Promise<string> {
    const deviceId = job.data.deviceId;
    // Job ids of a scheduler are "repeat:<scheduler id>:<millis of the slot>".
    const slot = Number(String(job.id).split(':').pop());
    let entry = this.targets.get(deviceId);
    if (!entry) {
      await this.sync();
      entry = this.targets.get(deviceId);
      if (!entry) return 'not in this group any more';
    }
    await this.options.onTaken?.(deviceId, slot);
    const shared = await this.load(deviceId);
    if (shared.slot >= slot) {
      this.metrics.duplicatesSkipped.inc();
      return 'already polled in this slot';
    }
    const at = this.clock();
    this.metrics.lateness.observe(Math.max(0, at - slot) / 1000);
    const outcome = await pollOnce(this.client, entry, at, this.metrics, this.clock);
    const step = applyPoll(shared.memory, outcome, entry.target.links);
    await this.redis.set(this.key(deviceId), JSON.stringify({ memory: step.next, slot } satisfies SharedMemory));
    if (step.rebooted) this.metrics.reboots.inc();
    if (step.events.length > 0 || step.changed || step.points.length > 0) this.writes.push({ deviceId, memory: step.next, events: step.events, changed: step.changed, polledAt: at, points: step.points });
    this.options.onPolled?.(deviceId, slot);
    if (outcome.reading) {
      const problem = await fillChassisOnce(this.client, this.store, entry.target, entry.snmp, outcome.reading, this.options.log);
      if (problem !== undefined && step.next.chassisProblem !== problem) {
        step.next.chassisProblem = problem;
        await this.redis.set(this.key(deviceId), JSON.stringify({ memory: step.next, slot } satisfies SharedMemory));
        this.writes.push({ deviceId, memory: step.next, events: [], changed: true, polledAt: at });
      }
      if ((entry.interfacesDueAt ?? 0) <= at) await refreshInterfaces(this.client, this.listingStore, deviceId, entry, at, this.options.log);
    }
    return outcome.reading ? 'up' : (outcome.failure?.reason ?? 'failed');
  }

  private async load(deviceId: string): Promise<SharedMemory> {
    const raw = await this.redis.get(this.key(deviceId));
    if (raw) return JSON.parse(raw) as SharedMemory;
    const fromDb = (await this.store.memories([deviceId])).get(deviceId) ?? emptyMemory();
    return { memory: fromDb, slot: 0 };
  }

  flush(): Promise<void> {
    return this.writes.flush();
  }
}
