/**
 * What a trap asks of the poller: poll its sender now. At most one poll per device every 2 s: a
 * trap within 2 s of the device's last trap poll is answered by one poll when the 2 s are up (a
 * flapping port makes one poll per 2 s, not one per trap, and the last trap is never left unpolled).
 */
export class TrapPolls {
  /** Device id → when its last trap poll started (ms), or WAITING while one is scheduled. */
  private readonly last = new Map<string, number>();

  constructor(
    private readonly poll: (deviceId: string) => Promise<unknown>,
    private readonly options: { everyMs?: number; afterPoll?: () => void; log?: { error(message: string): void } } = {},
  ) {}

  request(deviceId: string): void {
    const every = this.options.everyMs ?? 2000;
    const now = Date.now();
    const last = this.last.get(deviceId);
    if (last === WAITING) return;
    const wait = last === undefined ? 0 : Math.max(0, last + every - now);
    this.last.set(deviceId, wait > 0 ? WAITING : now);
    const run = () => {
      this.last.set(deviceId, Date.now());
      void this.poll(deviceId)
        .then(() => this.options.afterPoll?.())
        .catch((e: Error) => this.options.log?.error(`polling ${deviceId} after its trap failed: ${e.message}`));
    };
    if (wait > 0) setTimeout(run, wait).unref();
    else run();
    if (this.last.size > 10_000) for (const [id, at] of this.last) if (at !== WAITING && at < now - every) this.last.delete(id);
  }
}

const WAITING = -1;
