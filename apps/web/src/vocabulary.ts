import type { Schemas } from './api';
import type { TextKey } from './i18n';

/**
 * The API's lists of values, as the console offers them, each checked against the generated
 * client's types (a value the API does not take fails the build), and the labels' key prefixes.
 */
export const DEVICE_KINDS = ['router', 'switch', 'firewall', 'server', 'videoconference_endpoint', 'workstation', 'ups', 'other'] as const satisfies ReadonlyArray<Schemas['Device']['kind']>;
export const EQUIPMENT_STATUSES = ['active', 'planned', 'faulty', 'retired'] as const satisfies ReadonlyArray<Schemas['Device']['status']>;
export const MEETING_SYSTEMS = ['province_centre', 'province_district', 'district_commune'] as const satisfies ReadonlyArray<NonNullable<Schemas['Device']['meetingSystem']>>;
export const AGENCY_KINDS = [
  'commune_committee',
  'district_committee',
  'provincial_committee',
  'provincial_department',
  'hospital',
  'health_station',
  'school',
  'public_service_unit',
  'party_or_mass_organisation',
  'other',
] as const satisfies ReadonlyArray<Schemas['Agency']['kind']>;
export const SECTORS = ['general', 'health', 'education', 'finance', 'justice', 'other'] as const satisfies ReadonlyArray<Schemas['Agency']['sector']>;
export const NETWORKS = ['provincial_wan', 'tslcd', 'internet'] as const satisfies ReadonlyArray<Schemas['WanLink']['network']>;
export const MEDIA = ['fibre', 'copper', 'wireless', 'satellite'] as const satisfies ReadonlyArray<Schemas['WanLink']['medium']>;
export const RULE_KINDS = ['device_down', 'interface_down', 'availability_below', 'poller_silent', 'not_polled'] as const satisfies ReadonlyArray<Schemas['AlertRule']['kind']>;
export const UNIT_LEVELS = ['province', 'district', 'commune'] as const satisfies ReadonlyArray<Schemas['AdministrativeUnit']['level']>;

/** A select's options from a list of values, labelled by `<prefix><value>`. */
export const optionsOf = <V extends string>(values: readonly V[], prefix: string) => values.map((v) => ({ value: v, label: `${prefix}${v}` as TextKey }));
