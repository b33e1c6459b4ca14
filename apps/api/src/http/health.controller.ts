import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@app/inventory';
import { PollingMetrics } from '@app/polling';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly polling: PollingMetrics,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  check() {
    return this.health.check([() => this.db.pingCheck('database', { timeout: 3000 }), () => this.pollResultsWriter()]);
  }

  /** Down while the database refuses the poller's writes (outages would go unrecorded); the results set aside are listed. */
  private pollResultsWriter() {
    const w = this.polling.writer;
    // Counts only: /health is public; which devices' results were set aside is on /poller/state.
    const details = { pending: w.pending, setAside: w.setAside.length };
    const session = this.indicators.check('pollResults');
    return w.failingSince === null
      ? session.up(details)
      : session.down({ ...details, failingSince: new Date(w.failingSince).toISOString(), lastError: w.lastError ?? '' });
  }
}
