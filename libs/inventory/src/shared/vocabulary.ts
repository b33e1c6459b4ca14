/** The domain's closed vocabularies, shared by entities, DTOs, imports and checks in migrations. */

export const UNIT_LEVELS = ['province', 'district', 'commune'] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const AGENCY_KINDS = [
  'provincial_committee', // UBND tỉnh and its office
  'provincial_department', // sở, ban, ngành
  'district_committee', // UBND cấp huyện
  'commune_committee', // UBND cấp xã
  'hospital',
  'health_station', // trạm y tế xã
  'school',
  'public_service_unit', // other đơn vị sự nghiệp
  'party_or_mass_organisation',
  'other',
] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const SECTORS = ['general', 'health', 'education', 'finance', 'justice', 'other'] as const;
export type Sector = (typeof SECTORS)[number];

export const EQUIPMENT_STATUSES = ['planned', 'active', 'faulty', 'retired'] as const;
export type EquipmentStatus = (typeof EQUIPMENT_STATUSES)[number];

export const NETWORKS = ['provincial_wan', 'tslcd', 'internet'] as const;
export type Network = (typeof NETWORKS)[number];

export const MEDIA = ['fibre', 'copper', 'wireless', 'satellite'] as const;
export type Medium = (typeof MEDIA)[number];

export const DEVICE_KINDS = [
  'router',
  'switch',
  'firewall',
  'server',
  'videoconference_endpoint',
  'workstation',
  'ups',
  'other',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const MEETING_SYSTEMS = ['province_centre', 'province_district', 'district_commune'] as const;
export type MeetingSystem = (typeof MEETING_SYSTEMS)[number];

/** SQL for a CHECK constraint that a varchar column holds one of the values. */
export function oneOf(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
