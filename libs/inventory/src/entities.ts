import { UnitSuccession } from './administrative-units/unit-succession.entity';
import { AdministrativeUnit } from './administrative-units/administrative-unit.entity';
import { AgencyStaffing } from './agencies/agency-staffing.entity';
import { Agency } from './agencies/agency.entity';
import { AuditEntry } from './audit/audit-entry.entity';
import { Device } from './equipment/device.entity';
import { Lan } from './equipment/lan.entity';
import { WanLink } from './equipment/wan-link.entity';
import { EquipmentPlacement } from './equipment/equipment-placement.entity';
import { ReorganisationRun } from './reorganisation/reorganisation-run.entity';

/** Every entity of the inventory library, listed for the data source. */
export const INVENTORY_ENTITIES = [AdministrativeUnit, Agency, AgencyStaffing, WanLink, Lan, Device, AuditEntry, UnitSuccession, EquipmentPlacement, ReorganisationRun];
