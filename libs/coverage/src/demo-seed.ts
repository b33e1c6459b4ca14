import { Injectable } from '@nestjs/common';
import { type ChangeContext, DemoProvince, type DemoSummary, EVERYWHERE } from '@app/inventory';
import { PlansService } from './plans.service';

/** The plan the demo loads: Bình Định's ICT plan of 2012 (Quyết định 647). */
const DEMO_PRESET = 'binh-dinh-647-2012';

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
    const plan = await this.plans.loadPreset(DEMO_PRESET, ctx);
    return { inventory, plan: { id: plan.id, documentNumber: plan.documentNumber, targets: plan.targets.length } };
  }

  /** The demo plan of an inventory loaded before (a second demo start), if it is still there. */
  async existingPlan(): Promise<{ id: string; documentNumber: string | null; targets: number } | null> {
    const preset = this.plans.presets().find((p) => p.code === DEMO_PRESET);
    const found = (await this.plans.list(EVERYWHERE)).find((p) => preset && p.documentNumber === preset.documentNumber);
    if (!found) return null;
    const plan = await this.plans.get(found.id, EVERYWHERE);
    return { id: plan.id, documentNumber: plan.documentNumber, targets: plan.targets.length };
  }
}
