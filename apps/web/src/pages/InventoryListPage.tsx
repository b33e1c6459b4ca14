import { api, dataOf, type Schemas } from '../api';
import { type TextKey, useI18n } from '../i18n';
import { CreateForm, type FieldSpec } from './CreateForm';
import { accessTo } from './records';
import { AGENCY_KINDS, EQUIPMENT_STATUSES, MEDIA, NETWORKS, optionsOf, SECTORS, UNIT_LEVELS } from '../vocabulary';
import { InventoryList } from './InventoryList';
import { type FilterSpec } from './ListFilters';


const AGENCY_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'agencyName', kind: 'text' },
  { name: 'code', label: 'code', kind: 'text' },
  { name: 'kind', label: 'kind', kind: 'select', options: optionsOf(AGENCY_KINDS, 'agency_') },
  { name: 'administrativeUnitId', label: 'unit', kind: 'unit' },
  { name: 'address', label: 'address', kind: 'text' },
];
const LAN_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'name', label: 'deviceName', kind: 'text' },
  { name: 'departmentsJoined', label: 'departmentsJoined', kind: 'number' },
  { name: 'departmentsTotal', label: 'departmentsTotal', kind: 'number' },
  { name: 'status', label: 'deviceStatus', kind: 'select', options: optionsOf(EQUIPMENT_STATUSES, 'equipment_') },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
  { name: 'completedOn', label: 'completedOn', kind: 'day' },
];
const WAN_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'network', label: 'network', kind: 'select', options: optionsOf(NETWORKS, 'network_') },
  { name: 'medium', label: 'medium', kind: 'select', options: optionsOf(MEDIA, 'medium_') },
  { name: 'bandwidthMbps', label: 'bandwidthMbps', kind: 'number' },
  { name: 'provider', label: 'provider', kind: 'text' },
  { name: 'circuitId', label: 'circuitId', kind: 'text' },
  { name: 'status', label: 'deviceStatus', kind: 'select', options: optionsOf(EQUIPMENT_STATUSES, 'equipment_') },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
];

const agencyAccess = accessTo('/api/v1/agencies/{id}');
const lanAccess = accessTo('/api/v1/lans/{id}');
const wanAccess = accessTo('/api/v1/wan-links/{id}');
const unitAccess = accessTo('/api/v1/administrative-units/{id}');


/** The filters every list of equipment takes (the API's EquipmentQuery). */
const EQUIPMENT_FILTERS: FilterSpec[] = [
  { name: 'status', label: 'deviceStatus', kind: 'select', many: true, options: optionsOf(EQUIPMENT_STATUSES, 'equipment_') },
  { name: 'administrativeUnit', label: 'inArea', kind: 'unit' },
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'activeOn', label: 'activeOn', kind: 'day' },
  { name: 'commissionedFrom', label: 'commissionedFrom', kind: 'day' },
  { name: 'commissionedTo', label: 'commissionedTo', kind: 'day' },
];

export function AgenciesPage({ canWrite }: { canWrite: boolean }) {
  const { t, day } = useI18n();
  return (
    <InventoryList<Schemas['Agency']>
      form={canWrite && <CreateForm title="newAgency" fields={AGENCY_FIELDS} invalidate="agencies" submit={async (body) => dataOf(await api.POST('/api/v1/agencies', { body: body as never }))} />}
      edit={canWrite ? { fields: AGENCY_FIELDS, access: agencyAccess } : undefined}
      title="agencies"
      queryKey="agencies"
      defaultSort="name"
      filters={[
        { name: 'kind', label: 'kind', kind: 'select', many: true, options: optionsOf(AGENCY_KINDS, 'agency_') },
        { name: 'sector', label: 'sector', kind: 'select', many: true, options: optionsOf(SECTORS, 'sector_') },
        { name: 'administrativeUnit', label: 'inArea', kind: 'unit' },
        { name: 'validOn', label: 'existsOn', kind: 'day' },
      ]}
      load={async (query) => dataOf(await api.GET('/api/v1/agencies', { params: { query: query as never } }))}
      rowName={(a) => a.code ?? a.name}
      columns={[
        { label: 'agencyName', cell: (a) => a.name, sort: 'name' },
        { label: 'code', cell: (a) => a.code ?? '', sort: 'code' },
        { label: 'kind', cell: (a) => t(`agency_${a.kind}` as TextKey), sort: 'kind' },
        { label: 'sector', cell: (a) => t(`sector_${a.sector}` as TextKey) },
        { label: 'address', cell: (a) => a.address ?? '' },
        // The reorganisation: an old commune's committee ended with it, the new commune's began, other agencies moved into their new unit.
        { label: 'validity', cell: (a) => (a.validTo ? `${t('endedOn')} ${day(a.validTo)}` : a.validFrom ? `${t('beganOn')} ${day(a.validFrom)}` : a.unitSince ? `${t('inUnitSince')} ${day(a.unitSince)}` : '') },
      ]}
    />
  );
}

export function LansPage({ canWrite }: { canWrite: boolean }) {
  const { t, num, day } = useI18n();
  return (
    <InventoryList<Schemas['Lan']>
      form={canWrite && <CreateForm title="newLan" fields={LAN_FIELDS} invalidate="lans" submit={async (body) => dataOf(await api.POST('/api/v1/lans', { body: body as never }))} />}
      edit={canWrite ? { fields: LAN_FIELDS, access: lanAccess } : undefined}
      title="lans"
      queryKey="lans"
      defaultSort="-commissionedOn"
      filters={[...EQUIPMENT_FILTERS, { name: 'complete', label: 'lanComplete', kind: 'boolean' }]}
      load={async (query) => dataOf(await api.GET('/api/v1/lans', { params: { query: query as never } }))}
      rowName={(l) => l.name}
      columns={[
        { label: 'deviceName', cell: (l) => l.name, sort: 'name' },
        { label: 'departments', cell: (l) => `${num(l.departmentsJoined)}/${num(l.departmentsTotal)}`, numeric: true },
        { label: 'completedOn', cell: (l) => (l.completedOn ? day(l.completedOn) : '—'), sort: 'completedOn' },
        { label: 'deviceStatus', cell: (l) => t(`equipment_${l.status}` as TextKey), sort: 'status' },
        { label: 'commissionedOn', cell: (l) => (l.commissionedOn ? day(l.commissionedOn) : ''), sort: 'commissionedOn' },
      ]}
    />
  );
}

export function WanLinksPage({ canWrite }: { canWrite: boolean }) {
  const { t, num, day } = useI18n();
  return (
    <InventoryList<Schemas['WanLink']>
      form={canWrite && <CreateForm title="newWanLink" fields={WAN_FIELDS} invalidate="wan-links" submit={async (body) => dataOf(await api.POST('/api/v1/wan-links', { body: body as never }))} />}
      edit={canWrite ? { fields: WAN_FIELDS, access: wanAccess } : undefined}
      title="wanLinks"
      queryKey="wan-links"
      defaultSort="-commissionedOn"
      filters={[
        { name: 'network', label: 'network', kind: 'select', many: true, options: optionsOf(NETWORKS, 'network_') },
        { name: 'medium', label: 'medium', kind: 'select', many: true, options: optionsOf(MEDIA, 'medium_') },
        { name: 'provider', label: 'provider', kind: 'text' },
        { name: 'minBandwidthMbps', label: 'minBandwidth', kind: 'text' },
        ...EQUIPMENT_FILTERS,
      ]}
      load={async (query) => dataOf(await api.GET('/api/v1/wan-links', { params: { query: query as never } }))}
      rowName={(w) => w.circuitId ?? w.id}
      columns={[
        { label: 'circuitId', cell: (w) => w.circuitId ?? '—' },
        { label: 'network', cell: (w) => t(`network_${w.network}` as TextKey), sort: 'network' },
        { label: 'medium', cell: (w) => t(`medium_${w.medium}` as TextKey) },
        { label: 'bandwidth', cell: (w) => (w.bandwidthMbps === null ? '' : `${num(w.bandwidthMbps)} Mbps`), numeric: true, sort: 'bandwidthMbps' },
        { label: 'provider', cell: (w) => w.provider ?? '', sort: 'provider' },
        { label: 'deviceStatus', cell: (w) => t(`equipment_${w.status}` as TextKey), sort: 'status' },
        { label: 'commissionedOn', cell: (w) => (w.commissionedOn ? day(w.commissionedOn) : ''), sort: 'commissionedOn' },
      ]}
    />
  );
}

const UNIT_FIELDS: FieldSpec[] = [
  { name: 'code', label: 'code', kind: 'text' },
  { name: 'name', label: 'unitName', kind: 'text' },
  { name: 'level', label: 'level', kind: 'select', options: optionsOf(UNIT_LEVELS, 'level_') },
  { name: 'type', label: 'unitType', kind: 'text' },
  { name: 'parentId', label: 'parentUnit', kind: 'unit' },
  { name: 'validFrom', label: 'validFrom', kind: 'day' },
  { name: 'validTo', label: 'validTo', kind: 'day' },
];

/** The administrative units; those who may write units (admins) add and change them here. */
export function UnitsPage({ canWrite }: { canWrite: boolean }) {
  const { t, day } = useI18n();
  return (
    <InventoryList<Schemas['AdministrativeUnit']>
      form={canWrite && <CreateForm title="newUnit" idPrefix="unit" fields={UNIT_FIELDS} invalidate="units" submit={async (body) => dataOf(await api.POST('/api/v1/administrative-units', { body: body as never }))} />}
      edit={canWrite ? { fields: UNIT_FIELDS, access: unitAccess } : undefined}
      title="units"
      queryKey="units"
      defaultSort="code"
      filters={[
        { name: 'level', label: 'level', kind: 'select', options: optionsOf(UNIT_LEVELS, 'level_') },
        { name: 'within', label: 'within', kind: 'unit' },
      ]}
      load={async (query) => dataOf(await api.GET('/api/v1/administrative-units', { params: { query: query as never } }))}
      rowName={(u) => u.code}
      columns={[
        { label: 'unitName', cell: (u) => u.name, sort: 'name' },
        { label: 'code', cell: (u) => u.code, sort: 'code' },
        { label: 'level', cell: (u) => t(`level_${u.level}` as TextKey), sort: 'level' },
        { label: 'unitType', cell: (u) => u.type },
        { label: 'validFrom', cell: (u) => (u.validFrom ? day(u.validFrom) : ''), sort: 'validFrom' },
      ]}
    />
  );
}
