import { type CallHandler, Controller, type ExecutionContext, Get, Header, Injectable, type NestInterceptor } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { type Observable, tap } from 'rxjs';
import { Permission, Requires } from '@app/inventory';
import { PollingMetrics } from '@app/polling';

@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'hatang_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hatang_' });
  }
}

/** Times every request under its route pattern (not its URL, which would explode label cardinality). */
@Injectable()
export class MetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const stop = this.metrics.httpDuration.startTimer({ method: req.method });
    const done = (status: number) => stop({ route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(status) });
    return next.handle().pipe(
      tap({
        next: () => done(http.getResponse<Response>().statusCode),
        error: (e: { status?: number; getStatus?: () => number }) => done(e.getStatus?.() ?? e.status ?? 500),
      }),
    );
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly polling: PollingMetrics,
  ) {}

  @Get()
  @Requires(Permission.MetricsRead)
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return Registry.merge([this.metrics.registry, this.polling.registry]).metrics();
  }
}
