import { Injectable } from '@nestjs/common';
import { type ChangeContext, DemoProvince, type DemoSummary } from '@app/inventory';
import { PlansService } from './plans.service';

/** The demo province and its own plan (Bình Định 647/QĐ-UBND), so coverage answers at once. */
@Injectable()
export class DemoSeed {
  constructor(
    private readonly province: DemoProvince,
    private readonly plans: PlansService,
  ) {}

  /** Loads both into an empty inventory; null when the inventory already holds something. */
  async loadIfEmpty(ctx: ChangeContext): Promise<{ inventory: DemoSummary; plan: { id: string; documentNumber: string | null; targets: number } } | null> {
    const inventory = await this.province.loadIfEmpty();
    if (!inventory) return null;
    const plan = await this.plans.loadPreset('binh-dinh-647-2012', ctx);
    return { inventory, plan: { id: plan.id, documentNumber: plan.documentNumber, targets: plan.targets.length } };
  }
}
