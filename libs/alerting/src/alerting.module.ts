import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, InventoryModule } from '@app/inventory';
import { Poller, SecretBox, SnmpProfilesService } from '@app/polling';
import { AlertsController, DeviceTrapsController } from './alerting.controllers';
import { AlertsService } from './alerts.service';
import { AlertEvaluator } from './evaluator';
import { Outbox } from './outbox';
import { TrapListener } from './trap-listener';

export interface AlertingModuleOptions {
  /** The polling module this process runs (its SecretBox seals webhook secrets; its poller polls a trap's sender). */
  polling: DynamicModule;
  /** Evaluate rules in this process. */
  evaluate: boolean;
  evaluateEveryMs: number;
  /** Send stored notifications from this process. */
  deliver: boolean;
  retryBaseMs: number;
  smtpUrl?: string;
  smtpFrom: string;
  publicUrl?: string;
  trapPort?: number;
  trapHost: string;
}

/** Runs the evaluator on its interval, the outbox's sender, and the trap listener, with the application. */
@Injectable()
class AlertingRuntime implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Alerts');
  private timer?: NodeJS.Timeout;
  private evaluating: Promise<unknown> | null = null;
  private pending = false;
  private readonly trapPolls = new Map<string, number>();

  constructor(
    @Inject('ALERTING_OPTIONS') private readonly options: AlertingModuleOptions,
    private readonly profiles: SnmpProfilesService,
    @Optional() @Inject(AlertEvaluator) private readonly evaluator?: AlertEvaluator,
    @Optional() @Inject(Outbox) private readonly outbox?: Outbox,
    @Optional() @Inject(TrapListener) private readonly traps?: TrapListener,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.traps) {
      this.traps.onTrap = (deviceId) => this.pollNow(deviceId);
      await this.traps.start();
      // A profile written or removed changes who may send traps, and with which credentials: at once.
      const before = this.profiles.onChange;
      this.profiles.onChange = () => {
        before?.();
        void this.traps!.reload().catch((e: Error) => this.log.error(`reloading trap senders failed: ${e.message}`));
      };
    }
    this.outbox?.start();
    if (this.evaluator) {
      this.timer = setInterval(() => this.evaluate(), this.options.evaluateEveryMs);
      this.timer.unref();
      this.evaluate();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.traps?.stop();
    await this.evaluating?.catch(() => undefined);
    await this.outbox?.stop();
  }

  /** One evaluation at a time; one more after it when asked meanwhile (a trap's poll). */
  evaluate(): void {
    if (this.evaluating) {
      this.pending = true;
      return;
    }
    this.evaluating = this.evaluator!.evaluate()
      .then((outcome) => {
        if (outcome && outcome.deliveries > 0) this.outbox?.kick();
      })
      .catch((e: Error) => this.log.error(`evaluating alert rules failed: ${e.message}`))
      .finally(() => {
        this.evaluating = null;
        if (this.pending) {
          this.pending = false;
          this.evaluate();
        }
      });
  }

  /**
   * A trap came: poll its sender now, then evaluate. At most one poll per device every 2 s: a trap
   * within 2 s of the last poll is answered by one poll when the 2 s are up (a flapping port makes
   * one poll per 2 s, not one per trap; the last trap's news is never left unpolled).
   */
  private pollNow(deviceId: string): void {
    if (!this.poller) return;
    const last = this.trapPolls.get(deviceId);
    const now = Date.now();
    if (last === -1) return; // one is already waiting
    const wait = last === undefined ? 0 : Math.max(0, last + 2000 - now);
    this.trapPolls.set(deviceId, wait > 0 ? -1 : now);
    const poll = () => {
      this.trapPolls.set(deviceId, Date.now());
      void this.poller!.pollDevice(deviceId)
        .then(() => this.evaluator && this.evaluate())
        .catch((e: Error) => this.log.error(`polling ${deviceId} after its trap failed: ${e.message}`));
    };
    if (wait > 0) setTimeout(poll, wait).unref();
    else poll();
    if (this.trapPolls.size > 10_000) for (const [id, at] of this.trapPolls) if (at !== -1 && at < now - 2000) this.trapPolls.delete(id);
  }
}

@Module({})
export class AlertingModule {
  static forRoot(options: AlertingModuleOptions): DynamicModule {
    const log = new Logger('Alerts');
    return {
      module: AlertingModule,
      imports: [InventoryModule, options.polling],
      controllers: [AlertsController, DeviceTrapsController],
      providers: [
        { provide: 'ALERTING_OPTIONS', useValue: options },
        {
          provide: AlertsService,
          useFactory: (ds: DataSource, secrets: SecretBox, audit: AuditLog) => new AlertsService(ds, secrets, audit),
          inject: [getDataSourceToken(), SecretBox, AuditLog],
        },
        ...(options.evaluate
          ? [{ provide: AlertEvaluator, useFactory: (ds: DataSource) => new AlertEvaluator(ds, { publicUrl: options.publicUrl }), inject: [getDataSourceToken()] }]
          : []),
        ...(options.deliver
          ? [
              {
                provide: Outbox,
                useFactory: (ds: DataSource, secrets: SecretBox) => new Outbox(ds, secrets, { smtpUrl: options.smtpUrl, smtpFrom: options.smtpFrom, retryBaseMs: options.retryBaseMs, log }),
                inject: [getDataSourceToken(), SecretBox],
              },
            ]
          : []),
        ...(options.trapPort
          ? [
              {
                provide: TrapListener,
                useFactory: (ds: DataSource, secrets: SecretBox) => new TrapListener(ds, secrets, { port: options.trapPort!, host: options.trapHost, log }),
                inject: [getDataSourceToken(), SecretBox],
              },
            ]
          : []),
        AlertingRuntime,
      ],
      exports: [AlertsService],
    };
  }
}
