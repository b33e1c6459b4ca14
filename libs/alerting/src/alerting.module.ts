import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, InventoryModule } from '@app/inventory';
import { Poller, SecretBox, SnmpProfilesService } from '@app/polling';
import { AlertsController, DeviceTrapsController } from './alerting.controllers';
import { AlertingMetrics } from './alerting-metrics';
import { AlertsService } from './alerts.service';
import { AlertEvaluator } from './evaluator';
import { Outbox } from './outbox';
import { TrapListener } from './trap-listener';
import { TrapPolls } from './trap-polls';

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
  private readonly trapPolls?: TrapPolls;

  constructor(
    @Inject('ALERTING_OPTIONS') private readonly options: AlertingModuleOptions,
    private readonly profiles: SnmpProfilesService,
    metrics: AlertingMetrics,
    @Optional() @Inject(AlertEvaluator) private readonly evaluator?: AlertEvaluator,
    @Optional() @Inject(Outbox) private readonly outbox?: Outbox,
    @Optional() @Inject(TrapListener) private readonly traps?: TrapListener,
    @Optional() @Inject(Poller) poller?: Poller,
  ) {
    if (traps) metrics.trapCounts = () => traps.counts;
    if (poller) this.trapPolls = new TrapPolls((id) => poller.pollDevice(id), { afterPoll: () => this.evaluator && this.evaluate(), log: this.log });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.traps) {
      this.traps.onTrap = (deviceId) => this.trapPolls?.request(deviceId);
      await this.traps.start();
      // A profile written or removed changes who may send traps, and with which credentials: at once.
      this.profiles.onChange(() => void this.traps!.reload().catch((e: Error) => this.log.error(`reloading trap senders failed: ${e.message}`)));
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
        AlertingMetrics,
        {
          provide: AlertsService,
          useFactory: (ds: DataSource, secrets: SecretBox, audit: AuditLog) => new AlertsService(ds, secrets, audit),
          inject: [getDataSourceToken(), SecretBox, AuditLog],
        },
        ...(options.evaluate
          ? [{ provide: AlertEvaluator, useFactory: (ds: DataSource, metrics: AlertingMetrics) => new AlertEvaluator(ds, { publicUrl: options.publicUrl, metrics }), inject: [getDataSourceToken(), AlertingMetrics] }]
          : []),
        ...(options.deliver
          ? [
              {
                provide: Outbox,
                useFactory: (ds: DataSource, secrets: SecretBox, metrics: AlertingMetrics) =>
                  new Outbox(ds, secrets, { smtpUrl: options.smtpUrl, smtpFrom: options.smtpFrom, retryBaseMs: options.retryBaseMs, log, metrics }),
                inject: [getDataSourceToken(), SecretBox, AlertingMetrics],
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
      exports: [AlertsService, AlertingMetrics],
    };
  }
}

/** For `apps/poller`: the trap listener beside the poller, polling a trap's sender at once. */
@Injectable()
class PollerTraps implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Traps');
  constructor(
    private readonly traps: TrapListener,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const polls = this.poller ? new TrapPolls((id) => this.poller!.pollDevice(id), { log: this.log }) : undefined;
    if (!polls) this.log.warn('no in-process poller here (BullMQ workers): traps are kept, their senders are polled at their next slot');
    this.traps.onTrap = (deviceId) => polls?.request(deviceId);
    await this.traps.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.traps.stop();
  }
}

@Module({})
export class TrapsModule {
  /** Traps from the devices of one poller group, where that group's poller runs. */
  static forPoller(options: { polling: DynamicModule; port: number; host: string; group: string }): DynamicModule {
    const log = new Logger('Traps');
    return {
      module: TrapsModule,
      imports: [options.polling],
      providers: [
        {
          provide: TrapListener,
          useFactory: (ds: DataSource, secrets: SecretBox) => new TrapListener(ds, secrets, { port: options.port, host: options.host, group: options.group, log }),
          inject: [getDataSourceToken(), SecretBox],
        },
        PollerTraps,
      ],
    };
  }
}
