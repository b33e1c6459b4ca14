import { api, dataOf, type Schemas } from '../api';
import { type TextKey, useI18n } from '../i18n';
import { CreateForm, type FieldSpec } from './CreateForm';
import { InventoryList } from './InventoryList';
import { type FilterSpec } from './ListFilters';
import { DEVICE_KINDS, EQUIPMENT_STATUSES, MEETING_SYSTEMS, optionsOf } from '../vocabulary';


const DEVICE_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'kind', label: 'kind', kind: 'select', options: optionsOf(DEVICE_KINDS, 'kind_') },
  { name: 'serialNumber', label: 'serialNumber', kind: 'text' },
  { name: 'model', label: 'model', kind: 'text' },
  { name: 'name', label: 'deviceName', kind: 'text' },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
];

/** Every filter the API's device list takes. */
const DEVICE_FILTERS: FilterSpec[] = [
  { name: 'kind', label: 'filterKind', kind: 'select', many: true, options: optionsOf(DEVICE_KINDS, 'kind_') },
  { name: 'status', label: 'deviceStatus', kind: 'select', many: true, options: optionsOf(EQUIPMENT_STATUSES, 'equipment_') },
  { name: 'meetingSystem', label: 'meetingSystem', kind: 'select', many: true, options: optionsOf(MEETING_SYSTEMS, 'meeting_') },
  { name: 'administrativeUnit', label: 'inArea', kind: 'unit' },
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'manufacturer', label: 'manufacturer', kind: 'text' },
  { name: 'model', label: 'model', kind: 'text' },
  { name: 'activeOn', label: 'activeOn', kind: 'day' },
  { name: 'commissionedFrom', label: 'commissionedFrom', kind: 'day' },
  { name: 'commissionedTo', label: 'commissionedTo', kind: 'day' },
];

/** The devices within the account's scope: search without diacritics, the API's filters, sorting, pages of 50. */
export function DevicesPage({ canWrite }: { canWrite: boolean }) {
  const { t, day } = useI18n();
  return (
    <InventoryList<Schemas['Device']>
      title="devices"
      queryKey="devices"
      defaultSort="-commissionedOn"
      filters={DEVICE_FILTERS}
      form={
        canWrite && (
          <CreateForm
            title="registerDevice"
            idPrefix="device"
            fields={DEVICE_FIELDS}
            invalidate="devices"
            submit={async (body) => dataOf(await api.POST('/api/v1/devices', { body: body as never }))}
            savedLabel={(d) => `${t('registered')}: ${(d as Schemas['Device']).serialNumber ?? (d as Schemas['Device']).id}`}
          />
        )
      }
      load={async (query) => dataOf(await api.GET('/api/v1/devices', { params: { query: query as never } }))}
      rowLink={(d) => `/devices/${d.id}`}
      rowName={(d) => d.serialNumber ?? ''}
      columns={[
        { label: 'serialNumber', cell: (d) => d.serialNumber ?? t(`kind_${d.kind}` as TextKey), sort: 'serialNumber' },
        { label: 'kind', cell: (d) => t(`kind_${d.kind}` as TextKey), sort: 'kind' },
        { label: 'model', cell: (d) => d.model ?? '', sort: 'model' },
        { label: 'deviceName', cell: (d) => d.name ?? '', sort: 'name' },
        { label: 'deviceStatus', cell: (d) => t(`equipment_${d.status}` as TextKey), sort: 'status' },
        { label: 'commissionedOn', cell: (d) => (d.commissionedOn ? day(d.commissionedOn) : ''), sort: 'commissionedOn' },
      ]}
    />
  );
}
