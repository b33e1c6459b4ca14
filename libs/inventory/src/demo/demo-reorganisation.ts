import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EVERYWHERE } from '../access/access';
import { AdministrativeUnitsService, type OfficialListImport } from '../administrative-units/administrative-units.service';
import { type ProposeOutcome, UnitSuccessionsService } from '../administrative-units/unit-successions.service';
import type { ChangeContext } from '../audit/audit-log.service';
import { InventoryError, InventoryErrorCode } from '../shared/inventory-error';
import { type ApplyOutcome, ReorganisationService } from '../reorganisation/reorganisation.service';
import { DEMO_PROVINCE_CODE } from './demo-province';
import { DEMO_DECISIONS, GIA_LAI_2025 } from './gia-lai-2025';

export const REORGANISED_ON = '2025-07-01';

export interface DemoReorganisationOutcome {
  units: OfficialListImport;
  mapping: ProposeOutcome;
  applied: ApplyOutcome;
}

/**
 * Carries the demo province (Tỉnh Bình Định) across the 2025 reorganisation into Tỉnh Gia Lai,
 * as a province would: the new list imported from 2025-07-01, the mapping proposed from the
 * official texts, and applied, with the demo's decisions for what the mapping cannot place.
 */
@Injectable()
export class DemoReorganisation {
  private readonly logger = new Logger('DemoReorganisation');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly units: AdministrativeUnitsService,
    private readonly successions: UnitSuccessionsService,
    private readonly reorganisation: ReorganisationService,
  ) {}

  async carryAcross(): Promise<DemoReorganisationOutcome> {
    const ctx: ChangeContext = { actor: 'demo', source: 'seed', scope: EVERYWHERE };
    // Each step can be taken again (a re-import changes nothing, a new proposal keeps what people
    // confirmed): only an application not reverted means the demo was carried across already.
    const [state] = (await this.ds.query(
      `SELECT (SELECT count(*)::int FROM administrative_unit WHERE level = 'province' AND code = $1 AND name = 'Tỉnh Bình Định' AND (valid_to IS NULL OR valid_to >= $2)) AS old,
              (SELECT count(*)::int FROM reorganisation_run WHERE $1 = ANY(province_codes) AND effective_on = $2 AND reverted_at IS NULL) AS runs`,
      [DEMO_PROVINCE_CODE, REORGANISED_ON],
    )) as Array<{ old: number; runs: number }>;
    if (state.runs) throw new InventoryError(InventoryErrorCode.Conflict, 'The demo province was already carried across the reorganisation (revert the run to do it again)');
    if (!state.old) throw new InventoryError(InventoryErrorCode.Conflict, 'No demo province (Tỉnh Bình Định) to carry across: load the demo first (npm run demo)');
    const units = await this.units.importOfficialList(GIA_LAI_2025.units, { ...ctx, source: 'import' }, { validFrom: REORGANISED_ON, replaces: true });
    const mapping = await this.successions.propose(GIA_LAI_2025.texts, REORGANISED_ON, { ...ctx, source: 'import' });
    // What the mapping leaves for a person: the demo decides it by the old unit's name.
    const trial = await this.reorganisation.apply({ province: DEMO_PROVINCE_CODE, effectiveOn: REORGANISED_ON }, ctx, { dryRun: true });
    const agencies = trial.waitingAgencies.flatMap((a) => (DEMO_DECISIONS[a.unit] ? [{ agencyId: a.id, to: DEMO_DECISIONS[a.unit] }] : []));
    const applied = await this.reorganisation.apply({ province: DEMO_PROVINCE_CODE, effectiveOn: REORGANISED_ON, agencies }, ctx);
    this.logger.log(`Demo province carried across the reorganisation: ${JSON.stringify({ ...applied, waitingAgencies: applied.waitingAgencies.length })}`);
    return { units, mapping, applied };
  }
}
