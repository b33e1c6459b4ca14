import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Permission, Requires } from '@app/inventory';
import { AlertingMetrics } from '@app/alerting';
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

/**
 * Times every request under its route pattern (not its URL, which would explode label cardinality)
 * with the status it was really answered with: read when the answer is sent, so a 401 from the
 * guard, a 404 from the inventory or a 412 are counted as such, not as 500.
 */
export function requestMetrics(metrics: Metrics): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const stop = metrics.httpDuration.startTimer({ method: req.method });
    res.once('finish', () => stop({ route: (req.route as { path?: string } | undefined)?.path ?? 'unmatched', status: String(res.statusCode) }));
    next();
  };
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly polling: PollingMetrics,
    private readonly alerting: AlertingMetrics,
  ) {}

  @Get()
  @Requires(Permission.MetricsRead)
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return Registry.merge([this.metrics.registry, this.polling.registry, this.alerting.registry]).metrics();
  }
}
