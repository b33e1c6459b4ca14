import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PollingMetrics } from '@app/polling';
import { heartbeatProblem, startHeartbeat } from './heartbeat';

describe('the poller heartbeat (its container health check)', () => {
  it('is written at once, and is healthy while fresh and while results are written', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hb-')), 'heartbeat');
    const metrics = new PollingMetrics();
    const stop = startHeartbeat(metrics, file);
    stop();
    const text = readFileSync(file, 'utf8');
    expect(heartbeatProblem(text)).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ pid: process.pid, writerFailingSince: null });
  });

  it('is unhealthy when missing, stale, or when writing results has failed for two minutes', () => {
    const now = Date.now();
    expect(heartbeatProblem(null)).toMatch(/not running/);
    expect(heartbeatProblem(JSON.stringify({ at: now - 61_000, pid: 1, writerFailingSince: null }), now)).toMatch(/61 s old/);
    expect(heartbeatProblem(JSON.stringify({ at: now, pid: 1, writerFailingSince: now - 30_000 }), now)).toBeNull();
    expect(heartbeatProblem(JSON.stringify({ at: now, pid: 1, writerFailingSince: now - 121_000 }), now)).toMatch(/failed for 121 s/);
    expect(heartbeatProblem('{', now)).toMatch(/unreadable/);
  });
});
