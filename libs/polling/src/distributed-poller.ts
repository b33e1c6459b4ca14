import { hostname } from 'node:os';
import { type Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { SnmpClient } from '@app/snmp';
import { fillChassisOnce, ListingWriter, PendingWrites, type PolledEntry, pollerClient, pollOnce, refreshInterfaces, snmpTargetOf, spreadFirstListings } from './poll-once';
import { phaseOf, BEAT_EVERY_MS } from './poller';
import { applyPoll, type DeviceMemory, emptyMemory, trafficHeartbeatSeconds } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollTarget, PollingStore } from './polling-store';

export interface DistributedPollerOptions {
  redisUrl: string;
  group: string;
  sockets: number;
  /** SNMP requests this worker keeps in flight. */
  maxInFlight: number;
  /** Bucket jobs this worker runs at once (default 4). */
  jobsAtOnce?: number;
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
/** The schedule each device is on: r1, a job scheduler per device (before); b1, its interval's bucket jobs. */
const TEMPLATE_VERSION = 'b1';
const UPSERTS_AT_ONCE = 200;
/** An interval is cut into this many buckets at most, each at least MIN_BUCKET_MS wide. */
const MAX_BUCKETS = 60;
const MIN_BUCKET_MS = 1000;

/** How many buckets an interval is cut into: a job per bucket per interval polls the bucket's devices. */
export function bucketsOf(intervalMs: number): number {
  return Math.max(1, Math.min(MAX_BUCKETS, Math.floor(intervalMs / MIN_BUCKET_MS)));
}

/** The bucket of a device within its interval: where its phase falls (so each device keeps its place in the cycle). */
export function bucketOf(deviceId: string, intervalMs: number): number {
  return Math.floor(phaseOf(deviceId, intervalMs) / (intervalMs / bucketsOf(intervalMs)));
}

/** A bucket job's scheduler: its interval and bucket. */
const bucketId = (intervalMs: number, bucket: number) => `b:${intervalMs}:${bucket}`;

interface BucketJob {
  intervalMs: number;
  bucket: number;
}

/** Bucket jobs a worker runs at once (one is due at a time in a steady group; more after a pause). */
const BUCKET_JOBS_AT_ONCE = 4;

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
 * Distributed mode: the workers of a poller group share its devices through BullMQ. Each interval
 * is cut into buckets (up to 60, at least a second wide) by the devices' phases; one job scheduler
 * per bucket makes a job per bucket per interval, its id carrying the slot, and the worker that
 * takes it polls the bucket's devices (a job and a few Redis round trips per bucket, not per
 * poll). A device polled in a slot is not polled again in it (its memory says the slot); a worker
 * that dies leaves its job locked until the lock expires, then BullMQ's stalled-job check hands it
 * to another worker, which polls the devices the first did not finish. The device's poll state
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
  /** The devices of each bucket ("<interval ms>:<bucket>"), as this worker last read the group. */
  private buckets = new Map<string, string[]>();
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
    // Auto-pipelining: the memories a bucket's polls write in one tick go in one round trip.
    this.redis = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: true });
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
    this.worker = new Worker(this.queueName, (job: Job<BucketJob | { deviceId: string }>) => ('bucket' in job.data ? this.processBucket(job as Job<BucketJob>) : this.process(job as Job<{ deviceId: string }>)), {
      connection,
      prefix,
      // Bucket jobs, each with many polls in it (the SNMP client bounds the requests in flight).
      concurrency: this.options.jobsAtOnce ?? BUCKET_JOBS_AT_ONCE,
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
    const buckets = new Map<string, string[]>();
    for (const t of targets) {
      const every = t.intervalSeconds * 1000;
      const key = `${every}:${bucketOf(t.deviceId, every)}`;
      const list = buckets.get(key);
      if (list) list.push(t.deviceId);
      else buckets.set(key, [t.deviceId]);
    }
    const prefix = this.options.prefix ?? 'hatang';
    // The group's devices (any worker keeps it; a device that leaves the group stops being monitored once).
    const devicesKey = `${prefix}:poll-schedules:${this.options.group}`;
    const known = await this.redis.hgetall(devicesKey);
    const schedule = (t: PollTarget) => `${t.intervalSeconds * 1000}|${TEMPLATE_VERSION}`;
    const stale = targets.filter((t) => known[t.deviceId] !== schedule(t));
    for (let i = 0; i < stale.length; i += UPSERTS_AT_ONCE) {
      const batch = stale.slice(i, i + UPSERTS_AT_ONCE);
      // A device scheduled by a job of its own (r1, before buckets): that scheduler goes.
      await Promise.all(batch.filter((t) => known[t.deviceId]?.endsWith('|r1')).map((t) => this.queue!.removeJobScheduler(t.deviceId)));
      await this.redis.hset(devicesKey, Object.fromEntries(batch.map((t) => [t.deviceId, schedule(t)])));
    }
    // One scheduler per bucket of every interval in use; those of intervals no longer used go.
    const bucketsKey = `${prefix}:poll-buckets:${this.options.group}`;
    const scheduled = new Set(await this.redis.smembers(bucketsKey));
    const wanted = new Set<string>();
    for (const every of new Set(targets.map((t) => t.intervalSeconds * 1000))) {
      const n = bucketsOf(every);
      for (let k = 0; k < n; k++) wanted.add(bucketId(every, k));
    }
    const missing = [...wanted].filter((id) => !scheduled.has(id));
    for (let i = 0; i < missing.length; i += UPSERTS_AT_ONCE) {
      await Promise.all(
        missing.slice(i, i + UPSERTS_AT_ONCE).map((id) => {
          const [, every, k] = id.split(':').map(Number);
          const data: BucketJob = { intervalMs: every, bucket: k };
          return this.queue!.upsertJobScheduler(id, { every, offset: Math.floor((k * every) / bucketsOf(every)) }, { name: 'bucket', data, opts: JOB_OPTIONS });
        }),
      );
      await this.redis.sadd(bucketsKey, ...missing.slice(i, i + UPSERTS_AT_ONCE));
    }
    for (const id of [...scheduled].filter((x) => !wanted.has(x))) {
      await this.queue!.removeJobScheduler(id);
      await this.redis.srem(bucketsKey, id);
    }
    const gone = Object.keys(known).filter((id) => !next.has(id));
    for (const id of gone) {
      if (known[id].endsWith('|r1')) await this.queue!.removeJobScheduler(id);
      await this.redis.hdel(devicesKey, id);
      await this.redis.del(this.key(id));
    }
    if (gone.length > 0) await this.store.stopMonitoring(gone, new Date(this.clock()));
    this.targets = next;
    this.buckets = buckets;
    this.loadedVersion = version;
  }

  /** A bucket's job: its devices not yet polled in this slot, polled together; their memories read in one round trip. */
  private async processBucket(job: Job<BucketJob>): Promise<string> {
    const slot = Number(String(job.id).split(':').pop());
    const key = `${job.data.intervalMs}:${job.data.bucket}`;
    if (this.targets.size === 0) await this.sync();
    const ids = this.buckets.get(key) ?? [];
    if (ids.length === 0) return 'no devices in this bucket';
    const raw = await this.redis.mget(ids.map((id) => this.key(id)));
    const missing = ids.filter((_, i) => raw[i] === null);
    const fromDb = missing.length > 0 ? await this.store.memories(missing) : new Map<string, DeviceMemory>();
    const shared = ids.map((id, i): SharedMemory => (raw[i] !== null ? (JSON.parse(raw[i]!) as SharedMemory) : { memory: fromDb.get(id) ?? emptyMemory(), slot: 0 }));
    const results = await Promise.all(ids.map((id, i) => this.pollIn(id, slot, shared[i])));
    const polled = results.filter((r) => r === 'polled').length;
    return `${polled} polled, ${ids.length - polled} not`;
  }

  /** One device's poll in a bucket job's slot, unless it was polled in that slot already. */
  private async pollIn(deviceId: string, slot: number, shared: SharedMemory): Promise<'polled' | 'skipped' | 'gone'> {
    const entry = this.targets.get(deviceId);
    if (!entry) return 'gone';
    await this.options.onTaken?.(deviceId, slot);
    if (shared.slot >= slot) {
      this.metrics.duplicatesSkipped.inc();
      return 'skipped';
    }
    await this.pollAndKeep(deviceId, entry, slot, shared);
    return 'polled';
  }

  /** Polls, keeps the device's memory in Redis with the slot, and queues what goes to the database. */
  private async pollAndKeep(deviceId: string, entry: PolledEntry & { target: PollTarget }, slot: number, shared: SharedMemory): Promise<string> {
    const at = this.clock();
    this.metrics.lateness.observe(Math.max(0, at - slot) / 1000);
    const outcome = await pollOnce(this.client, entry, at, this.metrics, this.clock);
    const step = applyPoll(shared.memory, outcome, entry.target.links, trafficHeartbeatSeconds(entry.target.intervalSeconds));
    await this.redis.set(this.key(deviceId), JSON.stringify({ memory: step.next, slot } satisfies SharedMemory));
    if (step.rebooted) this.metrics.reboots.inc();
    if (step.events.length > 0 || step.changed || step.points.length > 0) this.writes.push({ deviceId, memory: step.next, events: step.events, changed: step.changed, polledAt: at, points: step.points });
    this.options.onPolled?.(deviceId, slot);
    if (outcome.reading) {
      const problem = await fillChassisOnce(this.client, this.store, entry.target, entry.snmp, { sysObjectID: outcome.reading.sysObjectID ?? step.next.sysObjectId }, this.options.log);
      if (problem !== undefined && step.next.chassisProblem !== problem) {
        step.next.chassisProblem = problem;
        await this.redis.set(this.key(deviceId), JSON.stringify({ memory: step.next, slot } satisfies SharedMemory));
        this.writes.push({ deviceId, memory: step.next, events: [], changed: true, polledAt: at });
      }
      if ((entry.interfacesDueAt ?? 0) <= at) await refreshInterfaces(this.client, this.listingStore, deviceId, entry, at, this.options.log);
    }
    return outcome.reading ? 'up' : (outcome.failure?.reason ?? 'failed');
  }

  /** A job of a per-device scheduler (before buckets), still queued after an upgrade: polled as it was. */
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
    return this.pollAndKeep(deviceId, entry, slot, shared);
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
