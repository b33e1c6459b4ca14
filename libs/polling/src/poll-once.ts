import { readChassis, readDevice, SnmpClient, SnmpError, type SnmpTarget } from '@app/snmp';
import type { PollOutcome } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollingStore, PollRecord, PollTarget } from './polling-store';

/** A device as the SNMP client sees it: built once per device, as the client keeps its session by this object. */
export function snmpTargetOf(t: PollTarget): SnmpTarget {
  return { key: t.deviceId, address: t.address, port: t.port, timeoutMs: t.timeoutMs, retries: t.retries, credentials: t.credentials };
}

/** One poll of one device, counted in the metrics; failures become the outcome, never a throw. */
export async function pollOnce(client: SnmpClient, target: SnmpTarget, ifIndexes: number[], at: number, metrics: PollingMetrics, clock: () => number): Promise<PollOutcome> {
  const outcome: PollOutcome = { at };
  const started = clock();
  try {
    outcome.reading = await readDevice(client, target, ifIndexes);
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

/** After a device's first answer: fill its empty serial, model and manufacturer from ENTITY-MIB, once. */
export async function fillChassisOnce(client: SnmpClient, store: PollingStore, t: PollTarget, target: SnmpTarget, log?: { warn(message: string): void }): Promise<void> {
  if (!t.wantsChassis) return;
  t.wantsChassis = false;
  try {
    const chassis = await readChassis(client, target);
    if (chassis) await store.fillChassis(t.deviceId, chassis);
  } catch (error) {
    log?.warn(`ENTITY-MIB of device ${t.deviceId}: ${(error as Error).message}`);
  }
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

/**
 * Poll results on their way to the database, written in batches. A failed write is kept and
 * retried (the database may be restarting), up to a bound: past it the oldest are dropped, and
 * the log says so, rather than memory growing without end.
 */
export class PendingWrites {
  private pending: PollRecord[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PollingStore,
    private readonly metrics: PollingMetrics,
    private readonly log?: { error(message: string): void },
  ) {}

  push(record: PollRecord): void {
    this.pending.push(record);
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        this.metrics.ledgerWrites.inc(await this.store.flush(batch));
      } catch (error) {
        this.pending = batch.concat(this.pending);
        const over = this.pending.length - MAX_PENDING;
        if (over > 0) this.pending.splice(0, over);
        this.log?.error(`writing ${batch.length} poll results failed${over > 0 ? `; dropped the ${over} oldest` : ''}, will retry: ${(error as Error).message.slice(0, 500)}`);
      }
    });
    return this.flushing;
  }
}
