import { randomUUID } from 'node:crypto';
import { bucketOf, bucketsOf } from './distributed-poller';
import { phaseOf } from './poller';

describe('buckets of an interval', () => {
  it('cuts an interval into at most 60 buckets of at least a second', () => {
    expect([500, 1000, 2000, 20_000, 60_000, 300_000, 86_400_000].map(bucketsOf)).toEqual([1, 1, 2, 20, 60, 60, 60]);
  });

  it("puts each device in the bucket its phase falls in, and spreads a fleet evenly", () => {
    const every = 60_000;
    const counts = new Array<number>(60).fill(0);
    for (let i = 0; i < 12_000; i++) {
      const id = randomUUID();
      const b = bucketOf(id, every);
      expect(Math.floor(phaseOf(id, every) / 1000)).toBe(b);
      counts[b]++;
    }
    // 200 a bucket on average; a hash spreads them within a few standard deviations (±14).
    expect(Math.min(...counts)).toBeGreaterThan(140);
    expect(Math.max(...counts)).toBeLessThan(260);
  });
});
