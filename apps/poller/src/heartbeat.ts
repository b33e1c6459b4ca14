import { writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PollingMetrics } from '@app/polling';

/** Where a running poller says it is alive; the container's health check reads it (the poller serves no HTTP). */
export const HEARTBEAT_FILE = process.env.POLLER_HEARTBEAT_FILE ?? join(tmpdir(), 'hatang-poller.heartbeat');
/** How often it is written, and how old it may be before the poller counts as stuck. */
export const HEARTBEAT_EVERY_MS = 10_000;
export const HEARTBEAT_STALE_MS = 60_000;
/** Writing poll results failing for longer than this makes the poller unhealthy. */
export const WRITER_FAILING_MS = 120_000;

export interface Heartbeat {
  at: number;
  pid: number;
  writerFailingSince: number | null;
}

/**
 * Writes the heartbeat now and every HEARTBEAT_EVERY_MS from the event loop: a poller whose loop
 * is blocked, or that died, stops writing it.
 */
export function startHeartbeat(metrics: PollingMetrics | null, file = HEARTBEAT_FILE): () => void {
  const beat = () => {
    const body: Heartbeat = { at: Date.now(), pid: process.pid, writerFailingSince: metrics?.writer.failingSince ?? null };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(body));
      renameSync(`${file}.tmp`, file);
    } catch {
      // A read-only /tmp makes the health check fail, which says so.
    }
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Why the poller is unhealthy, or null when it is well: the container health check's verdict. */
export function heartbeatProblem(text: string | null, now = Date.now()): string | null {
  if (text === null) return `no heartbeat at ${HEARTBEAT_FILE}: the poller is not running`;
  let hb: Heartbeat;
  try {
    hb = JSON.parse(text) as Heartbeat;
  } catch {
    return 'the heartbeat file is unreadable';
  }
  if (now - hb.at > HEARTBEAT_STALE_MS) return `the last heartbeat is ${Math.round((now - hb.at) / 1000)} s old: the poller is stuck or gone`;
  if (hb.writerFailingSince !== null && now - hb.writerFailingSince > WRITER_FAILING_MS) return `writing poll results has failed for ${Math.round((now - hb.writerFailingSince) / 1000)} s`;
  return null;
}
