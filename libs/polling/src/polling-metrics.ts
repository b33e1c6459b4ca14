import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface SetAsideResult {
  deviceId: string;
  polledAt: string;
  reason: string;
}

export interface WriterHealth {
  /** When writing poll results started failing (the database refuses every batch); null while it works. */
  failingSince: number | null;
  lastError: string | null;
  /** Results waiting to be written. */
  pending: number;
  /** The last results set aside, newest last (at most 100). */
  setAside: SetAsideResult[];
}

/** The poller's figures for /metrics. */
export class PollingMetrics {
  readonly registry = new Registry();
  /**
   * Polls are tallied here and handed to prom-client when the counters are read: a labelled
   * inc() hashes its labels every time, a cost paid 15,000 times a second in a burst.
   */
  private readonly tally = { ok: 0, failed: 0, reasons: new Map<string, number>() };
  readonly polls: Counter<'result'>;
  readonly failures: Counter<'reason'>;
  readonly duration = new Histogram({
    name: 'hatang_poll_duration_seconds',
    help: 'Time from sending a poll to its answer or failure',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
    registers: [this.registry],
  });
  readonly lateness = new Histogram({
    name: 'hatang_poll_lateness_seconds',
    help: 'How late each poll started after the moment its cycle was due',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly missed = new Counter({ name: 'hatang_poll_cycles_missed_total', help: 'Cycles a device was not polled in (the previous poll still ran, or the poller fell a whole interval behind)', registers: [this.registry] });
  readonly duplicatesSkipped = new Counter({ name: 'hatang_poll_duplicates_skipped_total', help: 'Jobs for a slot already polled (a job handed on after its worker stalled), not polled again', registers: [this.registry] });
  readonly ledgerWrites = new Counter({ name: 'hatang_poll_ledger_writes_total', help: 'Rows the poller wrote (outages, monitoring spans, latest-poll rows)', registers: [this.registry] });
  readonly reboots = new Counter({ name: 'hatang_device_reboots_total', help: 'Reboots detected from uptime going backwards', registers: [this.registry] });
  readonly devices = new Gauge({ name: 'hatang_polled_devices', help: 'Devices scheduled, by state', labelNames: ['state'] as const, registers: [this.registry] });
  readonly inFlight = new Gauge({ name: 'hatang_snmp_requests_in_flight', help: 'SNMP requests in flight', registers: [this.registry] });
  readonly socketErrors = new Counter({ name: 'hatang_snmp_socket_errors_total', help: 'UDP socket errors', registers: [this.registry] });
  readonly setAside = new Counter({ name: 'hatang_poll_results_set_aside_total', help: 'Poll results the database refused on their own (a value it cannot store), set aside so the rest are written', registers: [this.registry] });
  /** How the writing of poll results goes, for /health. */
  readonly writer: WriterHealth = { failingSince: null, lastError: null, pending: 0, setAside: [] };

  constructor() {
    const tally = this.tally;
    this.polls = new Counter({
      name: 'hatang_polls_total',
      help: 'Polls by result (ok or failed)',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        if (tally.ok > 0) this.inc({ result: 'ok' }, tally.ok);
        if (tally.failed > 0) this.inc({ result: 'failed' }, tally.failed);
        tally.ok = tally.failed = 0;
      },
    });
    this.failures = new Counter({
      name: 'hatang_poll_failures_total',
      help: 'Failed polls by reason',
      labelNames: ['reason'] as const,
      registers: [this.registry],
      collect() {
        for (const [reason, n] of tally.reasons) this.inc({ reason }, n);
        tally.reasons.clear();
      },
    });
  }

  /** One poll done: its result, and the reason when it failed. */
  polled(failure: string | null): void {
    if (failure === null) {
      this.tally.ok++;
      return;
    }
    this.tally.failed++;
    this.tally.reasons.set(failure, (this.tally.reasons.get(failure) ?? 0) + 1);
  }
}
