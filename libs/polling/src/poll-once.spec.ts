import { INTERFACES_EVERY_MS, PendingWrites, refusedForItsData, spreadFirstListings } from './poll-once';
import { PollingMetrics } from './polling-metrics';
import type { PollRecord } from './polling-store';
import { emptyMemory } from './poll-state';

const record = (deviceId: string, polledAt: number): PollRecord => ({ deviceId, memory: emptyMemory(), events: [], changed: true, polledAt });
const pgError = (code: string) => Object.assign(new Error(`error ${code}`), { driverError: { code } });

/** The writer's decisions: which failures are retried whole, which rows are set aside. The real database is in test/poller-truth. */
describe('PendingWrites', () => {
  it('keeps every result and reports a failing writer while the database is unreachable, then recovers', async () => {
    const metrics = new PollingMetrics();
    let down = true;
    const written: string[] = [];
    const writes = new PendingWrites({ flush: async (rs) => (down ? Promise.reject(pgError('57P01')) : (written.push(...rs.map((r) => r.deviceId)), rs.length)) }, metrics, undefined, () => 1_000);
    writes.push(record('a', 1));
    writes.push(record('b', 2));
    await writes.flush();
    expect(metrics.writer).toMatchObject({ failingSince: 1_000, pending: 2, setAside: [] });
    writes.push(record('c', 3));
    down = false;
    await writes.flush();
    expect(written).toEqual(['a', 'b', 'c']);
    expect(metrics.writer).toMatchObject({ failingSince: null, lastError: null, pending: 0 });
  });

  it('halves a batch refused for its data until the one bad result is found, and writes the others in order', async () => {
    const metrics = new PollingMetrics();
    const written: string[] = [];
    const writes = new PendingWrites({ flush: async (rs) => (rs.some((r) => r.deviceId === 'bad') ? Promise.reject(pgError('22021')) : (written.push(...rs.map((r) => r.deviceId)), rs.length)) }, metrics);
    for (const [i, id] of ['a', 'b', 'c', 'bad', 'd', 'e', 'f'].entries()) writes.push(record(id, i));
    await writes.flush();
    expect(written).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(metrics.writer.setAside.map((s) => s.deviceId)).toEqual(['bad']);
    expect(metrics.writer.failingSince).toBeNull();
  });

  it('tells data errors from the database’s own state', () => {
    expect(['22021', '22001', '23505', '54000'].map((c) => refusedForItsData(pgError(c)))).toEqual([true, true, true, true]);
    expect(['57P01', '08006', '40001', '53300'].map((c) => refusedForItsData(pgError(c)))).toEqual([false, false, false, false]);
    expect(refusedForItsData(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
  });
});

describe('spreadFirstListings', () => {
  const entries = (n: number) => Array.from({ length: n }, () => ({ snmp: {} as never, ifIndexes: [] }) as { snmp: never; ifIndexes: number[]; interfacesDueAt?: number });
  it('lists a few new devices at their next answer, and spreads a fleet over the hour', () => {
    const few = entries(100);
    spreadFirstListings(few, 1_000);
    expect(new Set(few.map((e) => e.interfacesDueAt))).toEqual(new Set([1_000]));
    const fleet = entries(10_000);
    spreadFirstListings(fleet, 1_000);
    const due = fleet.map((e) => e.interfacesDueAt! - 1_000);
    expect(Math.min(...due)).toBe(0);
    expect(Math.max(...due)).toBeLessThan(INTERFACES_EVERY_MS);
    expect(Math.max(...due)).toBeGreaterThan(INTERFACES_EVERY_MS * 0.99);
    // No minute holds more than its share (10,000 over 60 minutes: 167 or 168).
    const perMinute = new Map<number, number>();
    for (const d of due) perMinute.set(Math.floor(d / 60_000), (perMinute.get(Math.floor(d / 60_000)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(168);
  });
});
