import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DevicesService, InventoryModule, WanLinksService } from '@app/inventory';
import { AvailabilityService } from './availability.service';
import { DistributedPoller, SharedPollMemory } from './distributed-poller';
import { Poller } from './poller';
import { DevicePollingController, PollingController } from './polling.controllers';
import { PollingMetrics } from './polling-metrics';
import { PollingStore } from './polling-store';
import { RemotePollResults } from './poll-results';
import { SecretBox } from './secret-box';
import { SnmpProfilesService } from './snmp-profiles.service';
import { InterfacesService } from './interfaces.service';
import { TrafficController } from './traffic.controller';
import { DiscoveryController } from './discovery.controller';
import { DiscoveryService } from './discovery.service';
import { SnmpCredentialsService } from './snmp-credentials.service';
import { TrafficService } from './traffic.service';

export interface PollingModuleOptions {
  secretKey?: string;
  dataDir: string;
  /** Run the poller inside this process (the default single-machine mode). */
  inProcess: boolean;
  group: string;
  sockets: number;
  maxInFlight: number;
  /** With Redis, the poller is a BullMQ worker sharing its group with the group's other workers. */
  redisUrl?: string;
}

/** Starts and stops the in-process poller with the application. */
@Injectable()
class InProcessPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Poller');
  constructor(
    private readonly profiles: SnmpProfilesService,
    @Inject(getDataSourceToken()) private readonly ds: DataSource,
    @Optional() @Inject(Poller) private readonly poller?: Poller,
    @Optional() @Inject(DistributedPoller) private readonly distributed?: DistributedPoller,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((this.poller || this.distributed) && (await this.ds.showMigrations())) {
      throw new Error('The database has pending migrations: run `npm run cli -- migrate` (or start the API, which migrates) before the poller');
    }
    if (this.poller) {
      await this.poller.start();
      this.profiles.onChange(() => void this.poller!.reload().catch((e: Error) => this.log.error(`reload failed: ${e.message}`)));
      this.log.log(`polling ${this.poller.scheduled} devices in-process`);
    }
    if (this.distributed) {
      await this.distributed.start();
      this.log.log(`BullMQ worker of queue ${this.distributed.queueName}: ${this.distributed.scheduled} devices in the group`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.poller?.stop();
    await this.distributed?.stop();
  }
}

@Module({})
export class PollingModule {
  static forRoot(options: PollingModuleOptions): DynamicModule {
    const log = new Logger('Poller');
    return {
      module: PollingModule,
      imports: [InventoryModule],
      controllers: [DevicePollingController, PollingController, TrafficController, DiscoveryController],
      providers: [
        { provide: SecretBox, useFactory: () => SecretBox.fromConfig(options.secretKey, options.dataDir) },
        PollingMetrics,
        AvailabilityService,
        SnmpProfilesService,
        InterfacesService,
        TrafficService,
        SnmpCredentialsService,
        DiscoveryService,
        {
          provide: PollingStore,
          useFactory: (ds: DataSource, secrets: SecretBox, devices: DevicesService, wanLinks: WanLinksService) => new PollingStore(ds, secrets, devices, wanLinks),
          inject: [getDataSourceToken(), SecretBox, DevicesService, WanLinksService],
        },
        ...(options.inProcess && options.redisUrl
          ? [
              {
                provide: DistributedPoller,
                useFactory: (store: PollingStore, metrics: PollingMetrics) =>
                  new DistributedPoller(store, metrics, { redisUrl: options.redisUrl!, group: options.group, sockets: options.sockets, maxInFlight: options.maxInFlight, log }),
                inject: [PollingStore, PollingMetrics],
              },
            ]
          : []),
        ...(options.inProcess && !options.redisUrl
          ? [
              {
                provide: Poller,
                useFactory: (store: PollingStore, metrics: PollingMetrics) =>
                  new Poller(store, metrics, { group: options.group, sockets: options.sockets, maxInFlight: options.maxInFlight, log }),
                inject: [PollingStore, PollingMetrics],
              },
            ]
          : []),
        ...(options.redisUrl ? [{ provide: SharedPollMemory, useFactory: () => new SharedPollMemory(options.redisUrl!) }] : []),
        {
          provide: RemotePollResults,
          useFactory: (ds: DataSource, store: PollingStore, metrics: PollingMetrics) => new RemotePollResults(ds, store, metrics, options.inProcess ? options.group : null),
          inject: [getDataSourceToken(), PollingStore, PollingMetrics],
        },
        InProcessPoller,
      ],
      exports: [SecretBox, PollingMetrics, SnmpCredentialsService, DiscoveryService, AvailabilityService, SnmpProfilesService, InterfacesService, PollingStore, TrafficService, ...(options.inProcess ? [options.redisUrl ? DistributedPoller : Poller] : [])],
    };
  }
}
