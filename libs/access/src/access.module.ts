import { type DynamicModule, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InventoryModule } from '@app/inventory';
import { AuthGuard } from './auth.guard';
import { ACCESS_OPTIONS, type AccessOptions, Authenticator } from './authenticator';
import { routeTable } from './route-table';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/** Refuses to start when a route has no access rule: a new route cannot be left open by mistake. */
@Injectable()
export class RouteRulesCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onApplicationBootstrap(): void {
    const open = routeTable(this.discovery, this.scanner).filter((r) => r.rule === undefined);
    if (open.length) {
      const list = open.map((r) => `${r.method} /${r.path} (${r.handler})`).join(', ');
      new Logger('Access').error(`Routes without an access rule: ${list}`);
      throw new Error(`Every route needs @Requires(...), @Authenticated() or @Public(); missing on: ${list}`);
    }
  }
}

@Module({})
export class AccessModule {
  /** Tokens, the global guard, and the start-up check of every route's rule. */
  static forRoot(options: AccessOptions): DynamicModule {
    return {
      module: AccessModule,
      imports: [InventoryModule, DiscoveryModule],
      controllers: [TokensController, AccountsController],
      providers: [
        { provide: ACCESS_OPTIONS, useValue: options },
        TokensService,
        AccountsService,
        Authenticator,
        RouteRulesCheck,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [TokensService, AccountsService, Authenticator],
    };
  }
}
