import { Module } from '@nestjs/common';
import { InventoryModule } from '@app/inventory';
import { CoverageEngine } from './coverage-engine';
import { IndicatorsController, PlansController } from './coverage.controllers';
import { CoverageService } from './coverage.service';
import { DemoSeed } from './demo-seed';
import { IndicatorsService } from './indicators.service';
import { PlansService } from './plans.service';

@Module({
  imports: [InventoryModule],
  controllers: [IndicatorsController, PlansController],
  providers: [CoverageEngine, CoverageService, DemoSeed, IndicatorsService, PlansService],
  exports: [CoverageEngine, CoverageService, DemoSeed, IndicatorsService, PlansService],
})
export class CoverageModule {}
