import type { InterfaceListing, NeighbourListing, SnmpClient, SnmpTarget } from '@app/snmp';
import { type PolledEntry, pollerClient, pollOnce, refreshInterfaces, spreadFirstListings } from './poll-once';
import { applyPoll, type DeviceMemory, emptyMemory, type PollOutcome, type TrafficPoint, trafficHeartbeatSeconds } from './poll-state';
import type { PollTarget } from './polling-store';
import { PollLoop } from './poll-loop';
import { firstDue } from './poller';
import type { PollingMetrics } from './polling-metrics';

export interface RemotePollerOptions {
  /** The API's base URL, e.g. https://hatang.example.gov.vn (the /api/v1 prefix is added). */
  apiUrl: string;
  /** A poller token. */
  token: string;
  group: string;
  sockets: number;
  maxInFlight: number;
  /** How often the targets are re-read from the API. */
  reloadEveryMs?: number;
  /** How often results are sent. */
  sendEveryMs?: number;
  log?: { log(message: string): void; error(message: string): void; warn(message: string): void };
  clock?: () => number;
}

/** A target as `GET /poller/targets` sends it. */
type RemoteTarget = Omit<PollTarget, 'wantsChassis' | 'fingerprint'>;

interface Entry extends PolledEntry {
  target: RemoteTarget;
  snmp: SnmpTarget;
  ifIndexes: number[];
  key: string;
  due: number;
  inFlight: boolean;
  removed: boolean;
  /**
   * What this poller has seen of the device, for its traffic: the API keeps the ledger, but the
   * octet counters of each poll, and the 5-minute slots they add up to, are known only here.
   */
  memory: DeviceMemory;
}

/** A traffic point as sent: its slot's start as an ISO 8601 instant. */
type PointItem = Omit<TrafficPoint, 'at'> & { at: string };

interface ResultItem {
  deviceId: string;
  at: string;
  reading?: PollOutcome['reading'];
  failure?: PollOutcome['failure'];
  /** The 5-minute traffic points this poll closed. */
  points?: PointItem[];
}

/** A device's interface list and LLDP neighbours as read, waiting to be sent (each part only when it changed). */
interface ListingItem {
  deviceId: string;
  at: string;
  interfaces?: readonly InterfaceListing[];
  neighbours?: readonly NeighbourListing[];
}

/** Results waiting to be sent, at most; past it the oldest are dropped (and the log says so). */
const MAX_PENDING = 200_000;
const PAGE = 5000;
/** Devices' listings per request (a listing can hold thousands of interfaces). */
const LISTINGS_PAGE = 100;

/**
 * A poller that needs no database: it reads its group's targets from the API with a poller token
 * (`GET /poller/targets`), polls them on the same schedule as the in-process poller (each device
 * at its phase of its interval), and sends what it read to `POST /poller/results`, where the API
 * keeps the outage ledger. For a poller inside a district network that reaches only the API.
 */
export class RemotePoller {
  readonly client: SnmpClient;
  private readonly devices = new Map<string, Entry>();
  private readonly loop: PollLoop<Entry>;
  private pending: ResultItem[] = [];
  /** Listings waiting to be sent, by device: a newer read replaces what was not sent yet. */
  private listings = new Map<string, ListingItem>();
  /** Where refreshInterfaces saves what it read: the queue of listings to send. */
  private readonly listingStore = {
    saveInterfaces: async (deviceId: string, interfaces: readonly InterfaceListing[], at: Date) => {
      if (!this.listingsRefused) this.listings.set(deviceId, { ...this.listings.get(deviceId), deviceId, at: at.toISOString(), interfaces });
    },
    saveNeighbours: async (deviceId: string, neighbours: readonly NeighbourListing[], at: Date) => {
      if (!this.listingsRefused) this.listings.set(deviceId, { ...this.listings.get(deviceId), deviceId, at: at.toISOString(), neighbours });
    },
  };
  /** The API has no listings route (older than this poller): none are kept or sent. */
  private listingsRefused = false;
  private timers: NodeJS.Timeout[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly clock: () => number;

  constructor(
    private readonly metrics: PollingMetrics,
    private readonly options: RemotePollerOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.client = pollerClient(options, metrics);
    this.loop = new PollLoop(this.clock, metrics, (entry, now) => this.pollOne(entry, now));
  }

  get scheduled(): number {
    return this.devices.size;
  }

  async start(): Promise<void> {
    await this.reload();
    this.timers.push(setInterval(() => void this.reload().catch((e: Error) => this.options.log?.error(`reading targets failed: ${e.message}`)), this.options.reloadEveryMs ?? 60_000));
    this.timers.push(setInterval(() => void this.send(), this.options.sendEveryMs ?? 1000));
    this.loop.start();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.loop.stop();
    await this.send();
    await this.client.close();
  }

  /** Re-reads the group's targets: new ones are scheduled, changed ones re-keyed, gone ones dropped. */
  async reload(): Promise<void> {
    const targets: RemoteTarget[] = [];
    let after: string | null = null;
    do {
      const query = new URLSearchParams({ group: this.options.group, limit: String(PAGE), ...(after ? { after } : {}) });
      const page = (await this.api('GET', `/poller/targets?${query}`)) as { items: RemoteTarget[]; next: string | null };
      targets.push(...page.items);
      after = page.next;
    } while (after);
    const now = this.clock();
    const seen = new Set<string>();
    const renewed: Entry[] = [];
    for (const target of targets) {
      seen.add(target.deviceId);
      const key = JSON.stringify(target);
      const existing = this.devices.get(target.deviceId);
      if (existing?.key === key) continue;
      if (existing) {
        existing.removed = true;
        this.client.forget(target.deviceId);
      }
      const snmp: SnmpTarget = { key: target.deviceId, address: target.address, port: target.port, timeoutMs: target.timeoutMs, retries: target.retries, credentials: target.credentials };
      const entry: Entry = {
        target,
        snmp,
        ifIndexes: target.links.map((l) => l.ifIndex),
        key,
        due: firstDue(target, now),
        inFlight: false,
        removed: false,
        // A changed target (a link added, the credentials changed) keeps the counters and slots so far.
        memory: existing?.memory ?? emptyMemory(),
        interfacesWritten: existing?.interfacesWritten,
        neighboursWritten: existing?.neighboursWritten,
      };
      if (existing) entry.interfacesDueAt = existing.interfacesDueAt;
      else renewed.push(entry);
      this.devices.set(target.deviceId, entry);
      this.loop.heap.push(entry);
    }
    spreadFirstListings(renewed, now);
    for (const [id, entry] of this.devices) {
      if (seen.has(id)) continue;
      entry.removed = true;
      this.devices.delete(id);
      this.client.forget(id);
    }
  }

  private async pollOne(entry: Entry, at: number): Promise<void> {
    entry.inFlight = true;
    try {
      const outcome = await pollOnce(this.client, entry, at, this.metrics, this.clock);
      if (entry.removed) return;
      // Only the traffic is taken from this step; the API applies the poll to the ledger itself.
      const step = applyPoll(entry.memory, outcome, entry.target.links, trafficHeartbeatSeconds(entry.target.intervalSeconds));
      entry.memory = step.next;
      this.pending.push({
        deviceId: entry.target.deviceId,
        at: new Date(at).toISOString(),
        ...(outcome.reading ? { reading: outcome.reading } : { failure: outcome.failure }),
        // Most polls close no slot.
        ...(step.points.length > 0 ? { points: step.points.map((p): PointItem => ({ ...p, at: new Date(p.at).toISOString() })) } : {}),
      });
      const over = this.pending.length - MAX_PENDING;
      if (over > 0) {
        this.pending.splice(0, over);
        this.options.log?.error(`the API has not taken poll results for a while: dropped the ${over} oldest`);
      }
      if (outcome.reading && (entry.interfacesDueAt ?? 0) <= at) await refreshInterfaces(this.client, this.listingStore, entry.target.deviceId, entry, at, this.options.log);
    } finally {
      entry.inFlight = false;
    }
  }

  /** Sends what was polled, in batches. Items the API names as refused are dropped; the rest is kept and retried on a failure. */
  send(): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (!(await this.sendListings())) return;
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, PAGE);
        try {
          await this.api('POST', '/poller/results', { items: batch });
        } catch (error) {
          const refused = error instanceof ApiError && error.status === 400 ? refusedItems(error.body) : null;
          if (refused?.size) {
            this.options.log?.warn(`the API refused ${refused.size} poll results: ${error instanceof ApiError ? error.message : ''}`);
            this.pending.unshift(...batch.filter((_, i) => !refused.has(i)));
            continue;
          }
          this.pending.unshift(...batch);
          this.options.log?.error(`sending ${batch.length} poll results failed, will retry: ${(error as Error).message.slice(0, 300)}`);
          return;
        }
      }
    });
    return this.sending;
  }

  /**
   * Sends the interface lists and LLDP neighbours read since the last send, before the results
   * (a WAN link's interface must be listed for its traffic points to be kept). Returns false when
   * the API could not be reached: what was not sent is kept for the next time.
   */
  private async sendListings(): Promise<boolean> {
    while (this.listings.size > 0) {
      const batch = [...this.listings.values()].slice(0, LISTINGS_PAGE);
      for (const item of batch) this.listings.delete(item.deviceId);
      try {
        await this.api('POST', '/poller/listings', { items: batch });
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          // An API older than this poller: the results still go; the listings cannot.
          this.options.log?.warn('the API does not take interface lists (POST /poller/listings answers 404; upgrade it): they are not sent');
          this.listingsRefused = true;
          this.listings.clear();
          return true;
        }
        const refused = error instanceof ApiError && error.status === 400 ? refusedItems(error.body) : null;
        if (refused?.size) {
          this.options.log?.warn(`the API refused the listings of ${refused.size} devices: ${error instanceof ApiError ? error.message : ''}`);
          // The refused ones are dropped (sent again when they change, or after a day); the others are sent again.
          batch.forEach((item, i) => !refused.has(i) && !this.listings.has(item.deviceId) && this.listings.set(item.deviceId, item));
          continue;
        }
        for (const item of batch) if (!this.listings.has(item.deviceId)) this.listings.set(item.deviceId, item);
        this.options.log?.error(`sending ${batch.length} devices' listings failed, will retry: ${(error as Error).message.slice(0, 300)}`);
        return false;
      }
    }
    return true;
  }

  private async api(method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> {
    const res = await fetch(`${this.options.apiUrl.replace(/\/+$/, '')}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.options.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!res.ok) throw new ApiError(res.status, parsed);
    return parsed;
  }
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${status}: ${(body as { detail?: string } | null)?.detail ?? 'error'}`);
  }
}

/** The indexes of items a 400 names (`items[3].deviceId`). */
function refusedItems(body: unknown): Set<number> {
  const out = new Set<number>();
  for (const e of (body as { errors?: Array<{ field?: string }> } | null)?.errors ?? []) {
    const m = /^items\[(\d+)\]/.exec(e.field ?? '');
    if (m) out.add(Number(m[1]));
  }
  return out;
}
