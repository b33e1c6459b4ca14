import { HostResolver } from './host-resolver';
import type { SnmpTarget } from './snmp-client';

const target = (address: string): SnmpTarget => ({ key: 'd1', address, port: 161, timeoutMs: 500, retries: 0, credentials: { version: '2c', community: 'public' } });

/** When names are looked up again, what a poll gets meanwhile: the resolver's own logic, on a scripted clock and resolver. The system resolver is in test/poller-truth. */
describe('HostResolver', () => {
  it('keeps a name’s address for the TTL, prefers IPv4, and keeps the same target while the address holds', async () => {
    let now = 0;
    const answers: Record<string, Array<{ address: string; family: number }>> = { 'sw.example': [{ address: '::1', family: 6 }, { address: '10.0.0.5', family: 4 }] };
    let lookups = 0;
    let slow: Promise<void> = Promise.resolve();
    const hosts = new HostResolver({
      ttlMs: 1000,
      retryMs: 100,
      clock: () => now,
      lookup: async (name) => {
        lookups++;
        await slow;
        return answers[name] ?? Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' }));
      },
    });
    const t = target('sw.example');
    const first = await hosts.resolve(t);
    expect(first).toMatchObject({ address: '10.0.0.5', port: 161 });
    expect(await hosts.resolve(t)).toBe(first);
    expect(lookups).toBe(1);
    // Past the TTL it is looked up again; polls go on with the known address until the answer comes.
    now = 1500;
    let answer!: () => void;
    slow = new Promise<void>((r) => (answer = r));
    answers['sw.example'] = [{ address: '10.0.0.6', family: 4 }];
    expect(await hosts.resolve(t)).toBe(first);
    expect(lookups).toBe(2);
    answer();
    await new Promise((r) => setImmediate(r));
    expect(await hosts.resolve(t)).toMatchObject({ address: '10.0.0.6' });
    expect(lookups).toBe(2);
  });

  it('says why a name does not resolve, and tries again after the retry interval', async () => {
    let now = 0;
    let lookups = 0;
    let known = false;
    const hosts = new HostResolver({ ttlMs: 1000, retryMs: 100, clock: () => now, lookup: async () => (lookups++, known ? [{ address: '10.0.0.7', family: 4 }] : Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))) });
    const t = target('new-sw.example');
    expect(await hosts.resolve(t)).toEqual({ unresolved: 'management address new-sw.example does not resolve: ENOTFOUND' });
    known = true;
    now = 50;
    expect(await hosts.resolve(t)).toEqual({ unresolved: 'management address new-sw.example does not resolve: ENOTFOUND' });
    expect(lookups).toBe(1);
    now = 150;
    expect(await hosts.resolve(t)).toMatchObject({ address: '10.0.0.7' });
    expect(lookups).toBe(2);
  });

  it('leaves IP literals alone', async () => {
    const hosts = new HostResolver({ lookup: async () => Promise.reject(new Error('not asked')) });
    const t = target('192.0.2.1');
    expect(await hosts.resolve(t)).toBe(t);
  });
});
