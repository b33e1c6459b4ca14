export { InventoryModule } from './inventory.module';
export { INVENTORY_ENTITIES } from './entities';
export { AdministrativeUnitsService, parseOfficialList, type OfficialListImport } from './administrative-units/administrative-units.service';
export { AgenciesService } from './agencies/agencies.service';
export { DevicesService } from './equipment/devices.service';
export type { CreateDevice } from './equipment/device.dto';
export { LansService } from './equipment/lans.service';
export { WanLinksService } from './equipment/wan-links.service';
export { AuditLog, type ChangeContext } from './audit/audit-log.service';
export { InventoryError, InventoryErrorCode, type FieldProblem } from './shared/inventory-error';
export { toProblems } from './shared/validation';
export * from './shared/vocabulary';
export { AdministrativeUnit } from './administrative-units/administrative-unit.entity';
export { Agency } from './agencies/agency.entity';
export { AgencyStaffing } from './agencies/agency-staffing.entity';
export { Device } from './equipment/device.entity';
export { Lan } from './equipment/lan.entity';
export { WanLink } from './equipment/wan-link.entity';
export { EquipmentPlacement, PLACED_ENTITIES, type PlacedEntity } from './equipment/equipment-placement.entity';
export { ReorganisationRun } from './reorganisation/reorganisation-run.entity';
export { ReorganisationService, type ApplyOutcome, type ApplyRequest, type RunView } from './reorganisation/reorganisation.service';
export { DemoProvince, DEMO_PROVINCE_CODE, type DemoSummary } from './demo/demo-province';
export { DemoReorganisation, REORGANISED_ON, type DemoReorganisationOutcome } from './demo/demo-reorganisation';
export { Spreadsheets, sheetFormat, sheetResource, SHEET_QUERIES, SHEET_RESOURCES, type SheetResource, type SheetFormat, type ImportOutcome, type ImportProgress } from './spreadsheets/spreadsheets.service';
export { Change, Input } from './shared/http';
export {
  ACCESS_RULE,
  type AccessRule,
  Authenticated,
  Caller,
  CallerScope,
  can,
  describeScope,
  EVERYWHERE,
  Permission,
  type Principal,
  Public,
  Requires,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  type Scope,
} from './access/access';
export { agencyWithinSql, type Place, type PlaceKind, resolveScope, scopeWithin, whereVisible, whereWithin } from './access/scope';
export { fold, likeEscape } from './shared/fold';
export { canonicalJson } from './shared/canonical-json';
export { FIRST_YEAR, LAST_YEAR, IsDay, isDay, IsInstant, isInstant, parseDay } from './shared/dates';
export { ListQuery, MAX_PAGE, PageQuery, pageOf, paginate, type Page, type Sortable } from './shared/list-query';
export { csvCell, fromCsvCell } from './shared/csv-safe';
export { AN_OBJECT, pageSchema, Returns, ReturnsSpreadsheet, schemaRef } from './shared/responses';
export { BoundariesService, parseBoundaries, type BoundaryImport } from './administrative-units/boundaries.service';
export { UnitSuccessionsService, type ProposeOutcome, type SuccessionView } from './administrative-units/unit-successions.service';
export { UnitSuccession, SUCCESSION_STATUSES } from './administrative-units/unit-succession.entity';
export { proposeSuccessions, parseBefore, nameKey, type NewCommune, type OldUnit, type Proposal } from './administrative-units/successions';
export { Timestamped } from './shared/timestamps';
