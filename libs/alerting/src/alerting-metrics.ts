import { Counter, Gauge, Registry } from 'prom-client';
import type { TrapCounts } from './trap-listener';

/** What alerting counts, for /metrics: notices sent and failed, incidents, traps kept and dropped. */
export class AlertingMetrics {
  readonly registry = new Registry();
  readonly notices = new Counter({ name: 'hatang_alert_notice_attempts_total', help: 'Attempts to send a notice, by channel kind and result (sent, failed, given_up)', labelNames: ['kind', 'result'] as const, registers: [this.registry] });
  readonly incidents = new Counter({ name: 'hatang_alert_incidents_total', help: 'Incidents opened, silenced (opened during maintenance), resolved, and reminders', labelNames: ['event'] as const, registers: [this.registry] });
  readonly evaluationSeconds = new Gauge({ name: 'hatang_alert_evaluation_seconds', help: 'How long the last evaluation of the alert rules took', registers: [this.registry] });
  /** The trap listener's counts, read when scraped. */
  trapCounts?: () => TrapCounts;

  constructor() {
    const counts = () => this.trapCounts?.();
    new Gauge({
      name: 'hatang_traps_total',
      help: 'SNMP traps received since start, by what became of them (accepted, unknownSender, badCredentials, ignored, malformed, rateLimited)',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        for (const [result, n] of Object.entries(counts() ?? {})) this.set({ result }, n);
      },
    });
  }
}
