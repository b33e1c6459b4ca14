import { DueHeap } from './due-heap';
import type { PollingMetrics } from './polling-metrics';

/**
 * Polls falling due within this many ms of each other go out together: fewer wake-ups of the
 * event loop (bench:poller, scheduler alone at 100,000 devices: about 23–30% of a core at 5 ms,
 * 20–25% at 25 ms), each poll at most this much late.
 */
const BATCH_MS = 25;

/** A device in a scheduler's queue. */
export interface DueEntry {
  due: number;
  inFlight: boolean;
  removed: boolean;
  target: { intervalSeconds: number };
}

/**
 * One turn of a scheduler: every entry due by now is re-queued at its next slot and handed to
 * `poll`, unless its previous poll is still in flight (a missed cycle). Returns how long to wait
 * for the next turn.
 */
export function takeDue<T extends DueEntry>(heap: DueHeap<T>, clock: () => number, metrics: PollingMetrics, poll: (entry: T, now: number) => void): number {
  const now = clock();
  while (heap.size > 0 && heap.peek()!.due <= now) {
    const entry = heap.pop()!;
    if (entry.removed) continue;
    const interval = entry.target.intervalSeconds * 1000;
    const due = entry.due;
    entry.due = due + interval;
    if (entry.due <= now) {
      // A whole interval behind: skip to the next slot instead of polling twice in a row.
      const behind = Math.floor((now - due) / interval);
      metrics.missed.inc(behind);
      entry.due = due + (behind + 1) * interval;
    }
    heap.push(entry);
    if (entry.inFlight) {
      metrics.missed.inc();
      continue;
    }
    metrics.lateness.observe((now - due) / 1000);
    poll(entry, now);
  }
  return heap.size > 0 ? Math.min(1000, Math.max(BATCH_MS, heap.peek()!.due - clock())) : 1000;
}

/**
 * A scheduler's loop: a turn takes what is due (takeDue) and polls it, then sleeps until the next
 * device falls due; stop waits for the polls in flight.
 */
export class PollLoop<T extends DueEntry> {
  readonly heap = new DueHeap<T>();
  private tick?: NodeJS.Timeout;
  private running = false;
  /** Polls in flight, and who waits for them all to finish (stop). */
  private active = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly clock: () => number,
    private readonly metrics: PollingMetrics,
    private readonly poll: (entry: T, now: number) => Promise<void>,
  ) {}

  start(): void {
    this.running = true;
    this.turn();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.tick) clearTimeout(this.tick);
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private turn(): void {
    if (!this.running) return;
    const wait = takeDue(this.heap, this.clock, this.metrics, (entry, now) => {
      this.active++;
      void this.poll(entry, now).finally(() => {
        if (--this.active === 0) for (const wake of this.idle.splice(0)) wake();
      });
    });
    this.tick = setTimeout(() => this.turn(), wait);
    this.tick.unref();
  }
}
