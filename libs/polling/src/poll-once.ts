import { readChassis, readDevice, type SnmpClient, SnmpError, type SnmpTarget } from '@app/snmp';
import type { PollOutcome } from './poll-state';
import type { PollingMetrics } from './polling-metrics';
import type { PollingStore, PollTarget } from './polling-store';

/** One poll of one device, counted in the metrics; failures become the outcome, never a throw. */
export async function pollOnce(client: SnmpClient, target: SnmpTarget, ifIndexes: number[], at: number, metrics: PollingMetrics, clock: () => number): Promise<PollOutcome> {
  const outcome: PollOutcome = { at };
  const started = clock();
  try {
    outcome.reading = await readDevice(client, target, ifIndexes);
    metrics.polls.inc({ result: 'ok' });
  } catch (error) {
    const e = error instanceof SnmpError ? error : new SnmpError('socket', (error as Error).message);
    outcome.failure = { reason: e.reason, message: e.message };
    metrics.polls.inc({ result: 'failed' });
    metrics.failures.inc({ reason: e.reason });
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
