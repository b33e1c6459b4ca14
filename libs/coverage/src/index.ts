import { CoverageReport } from './entities/coverage-report.entity';
import { Indicator } from './entities/indicator.entity';
import { PlanTarget } from './entities/plan-target.entity';
import { Plan } from './entities/plan.entity';
import { ReportedValue } from './entities/reported-value.entity';

/** Every entity of the coverage library, listed for the data source. */
export const COVERAGE_ENTITIES = [Indicator, ReportedValue, Plan, PlanTarget, CoverageReport];

export { CoverageModule } from './coverage.module';
export { CoverageService, trendAt } from './coverage.service';
export { CoverageEngine } from './coverage-engine';
export { DemoSeed } from './demo-seed';
export { IndicatorsService } from './indicators.service';
export { PlansService } from './plans.service';
export { CATALOGUE } from './catalogue';
export { PRESETS, type PlanPreset } from './presets';
export { parseDefinition, type IndicatorDefinition } from './definition';
export type * from './coverage.types';
export { Indicator, ReportedValue, Plan, PlanTarget, CoverageReport };
