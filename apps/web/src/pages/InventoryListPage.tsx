import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { api, ApiProblem, dataOf, type Schemas } from '../api';
import { Pager } from '../Pager';
import { type TextKey, useI18n } from '../i18n';
import { CreateForm, type FieldSpec } from './CreateForm';
import { EditPanel, type RecordAccess } from './EditPanel';
import { InventoryNav } from './InventoryNav';

const PAGE = 50;

interface Column<T> {
  label: TextKey;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
}

interface PageOf<T> {
  items: T[];
  total: number;
}

/** A list of the inventory: search without diacritics (the API's q), pages of 50, the columns given. */
function InventoryList<T extends { id: string }>({
  title,
  load,
  columns,
  queryKey,
  form,
  edit,
}: {
  title: TextKey;
  load: (q: string, offset: number) => Promise<PageOf<T>>;
  columns: Array<Column<T>>;
  queryKey: string;
  form?: ReactNode;
  edit?: { fields: FieldSpec[]; access: (id: string) => RecordAccess };
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<string | null>(null);
  const list = useQuery({ queryKey: [queryKey, q, offset], queryFn: () => load(q, offset), placeholderData: keepPreviousData });
  return (
    <section aria-labelledby="list-title">
      <InventoryNav />
      <h1 id="list-title">{t(title)}</h1>
      {editing && edit ? <EditPanel key={editing} id={editing} fields={edit.fields} access={edit.access(editing)} invalidate={queryKey} onClose={() => setEditing(null)} /> : form}
      <div className="toolbar">
        <label>
          {t('search')}{' '}
          <input type="search" value={q} onChange={(e) => { setQ(e.target.value); setOffset(0); }} />
        </label>
      </div>
      {list.error && <p role="alert">{t('error')}: {list.error.message}</p>}
      {list.data && (
        <>
          <table className={`list-${queryKey}`} aria-busy={list.isFetching}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.label} scope="col" className={c.numeric ? 'num' : undefined}>
                    {t(c.label)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((row) => (
                <tr key={row.id}>
                  {columns.map((c, i) =>
                    i === 0 ? (
                      <th key={c.label} scope="row">
                        {edit ? (
                          <button type="button" className="link" onClick={() => setEditing(row.id)}>
                            {c.cell(row)}
                          </button>
                        ) : (
                          c.cell(row)
                        )}
                      </th>
                    ) : (
                      <td key={c.label} className={c.numeric ? 'num' : undefined}>{c.cell(row)}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} shown={list.data.items.length} total={list.data.total} size={PAGE} onOffset={setOffset} />
        </>
      )}
    </section>
  );
}

const query = (q: string, offset: number) => ({ q: q || undefined, limit: PAGE, offset });

const opts = <V extends string>(values: readonly V[], prefix: string) => values.map((v) => ({ value: v, label: `${prefix}${v}` as TextKey }));
const AGENCY_KINDS = ['commune_committee', 'district_committee', 'provincial_committee', 'provincial_department', 'hospital', 'health_station', 'school', 'public_service_unit', 'party_or_mass_organisation', 'other'] as const;
const STATUSES = ['active', 'planned', 'faulty', 'retired'] as const;

const AGENCY_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'agencyName', kind: 'text' },
  { name: 'code', label: 'code', kind: 'text' },
  { name: 'kind', label: 'kind', kind: 'select', options: opts(AGENCY_KINDS, 'agency_') },
  { name: 'administrativeUnitId', label: 'unit', kind: 'unit' },
  { name: 'address', label: 'address', kind: 'text' },
];
const LAN_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'name', label: 'deviceName', kind: 'text' },
  { name: 'departmentsJoined', label: 'departmentsJoined', kind: 'number' },
  { name: 'departmentsTotal', label: 'departmentsTotal', kind: 'number' },
  { name: 'status', label: 'deviceStatus', kind: 'select', options: opts(STATUSES, 'equipment_') },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
  { name: 'completedOn', label: 'completedOn', kind: 'day' },
];
const WAN_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'network', label: 'network', kind: 'select', options: opts(['provincial_wan', 'tslcd', 'internet'] as const, 'network_') },
  { name: 'medium', label: 'medium', kind: 'select', options: opts(['fibre', 'copper', 'wireless', 'satellite'] as const, 'medium_') },
  { name: 'bandwidthMbps', label: 'bandwidthMbps', kind: 'number' },
  { name: 'provider', label: 'provider', kind: 'text' },
  { name: 'circuitId', label: 'circuitId', kind: 'text' },
  { name: 'status', label: 'deviceStatus', kind: 'select', options: opts(STATUSES, 'equipment_') },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
];

/** Reads a record with its version, and writes it back with If-Match. */
const etagOf = (r: { response: Response }) => r.response.headers.get('ETag') ?? '';
const agencyAccess = (id: string): RecordAccess => ({
  load: async () => {
    const r = await api.GET('/api/v1/agencies/{id}', { params: { path: { id } } });
    return { record: dataOf(r) as unknown as Record<string, unknown>, etag: etagOf(r) };
  },
  patch: async (body, etag) => dataOf(await api.PATCH('/api/v1/agencies/{id}', { params: { path: { id }, header: { 'If-Match': etag } }, body: body as never })),
  remove: async (etag) => {
    const r = await api.DELETE('/api/v1/agencies/{id}', { params: { path: { id }, header: { 'If-Match': etag } } });
    if (!r.response.ok) throw new ApiProblem(r.response.status, r.error as never);
  },
});
const lanAccess = (id: string): RecordAccess => ({
  load: async () => {
    const r = await api.GET('/api/v1/lans/{id}', { params: { path: { id } } });
    return { record: dataOf(r) as unknown as Record<string, unknown>, etag: etagOf(r) };
  },
  patch: async (body, etag) => dataOf(await api.PATCH('/api/v1/lans/{id}', { params: { path: { id }, header: { 'If-Match': etag } }, body: body as never })),
  remove: async (etag) => {
    const r = await api.DELETE('/api/v1/lans/{id}', { params: { path: { id }, header: { 'If-Match': etag } } });
    if (!r.response.ok) throw new ApiProblem(r.response.status, r.error as never);
  },
});
const wanAccess = (id: string): RecordAccess => ({
  load: async () => {
    const r = await api.GET('/api/v1/wan-links/{id}', { params: { path: { id } } });
    return { record: dataOf(r) as unknown as Record<string, unknown>, etag: etagOf(r) };
  },
  patch: async (body, etag) => dataOf(await api.PATCH('/api/v1/wan-links/{id}', { params: { path: { id }, header: { 'If-Match': etag } }, body: body as never })),
  remove: async (etag) => {
    const r = await api.DELETE('/api/v1/wan-links/{id}', { params: { path: { id }, header: { 'If-Match': etag } } });
    if (!r.response.ok) throw new ApiProblem(r.response.status, r.error as never);
  },
});

export function AgenciesPage({ canWrite }: { canWrite: boolean }) {
  const { t } = useI18n();
  return (
    <InventoryList<Schemas['Agency']>
      form={canWrite && <CreateForm title="newAgency" fields={AGENCY_FIELDS} invalidate="agencies" submit={async (body) => dataOf(await api.POST('/api/v1/agencies', { body: body as never }))} />}
      edit={canWrite ? { fields: AGENCY_FIELDS, access: agencyAccess } : undefined}
      title="agencies"
      queryKey="agencies"
      load={async (q, offset) => dataOf(await api.GET('/api/v1/agencies', { params: { query: { ...query(q, offset), sort: 'name' } } }))}
      columns={[
        { label: 'agencyName', cell: (a) => a.name },
        { label: 'code', cell: (a) => a.code ?? '' },
        { label: 'kind', cell: (a) => t(`agency_${a.kind}` as TextKey) },
        { label: 'address', cell: (a) => a.address ?? '' },
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
      load={async (q, offset) => dataOf(await api.GET('/api/v1/lans', { params: { query: { ...query(q, offset), sort: '-commissionedOn' } } }))}
      columns={[
        { label: 'deviceName', cell: (l) => l.name },
        { label: 'departments', cell: (l) => `${num(l.departmentsJoined)}/${num(l.departmentsTotal)}`, numeric: true },
        { label: 'completedOn', cell: (l) => (l.completedOn ? day(l.completedOn) : '—') },
        { label: 'deviceStatus', cell: (l) => t(`equipment_${l.status}` as TextKey) },
        { label: 'commissionedOn', cell: (l) => (l.commissionedOn ? day(l.commissionedOn) : '') },
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
      load={async (q, offset) => dataOf(await api.GET('/api/v1/wan-links', { params: { query: { ...query(q, offset), sort: '-commissionedOn' } } }))}
      columns={[
        { label: 'circuitId', cell: (w) => w.circuitId ?? '—' },
        { label: 'network', cell: (w) => t(`network_${w.network}` as TextKey) },
        { label: 'medium', cell: (w) => t(`medium_${w.medium}` as TextKey) },
        { label: 'bandwidth', cell: (w) => (w.bandwidthMbps === null ? '' : `${num(w.bandwidthMbps)} Mbps`), numeric: true },
        { label: 'provider', cell: (w) => w.provider ?? '' },
        { label: 'deviceStatus', cell: (w) => t(`equipment_${w.status}` as TextKey) },
        { label: 'commissionedOn', cell: (w) => (w.commissionedOn ? day(w.commissionedOn) : '') },
      ]}
    />
  );
}

export function UnitsPage() {
  const { t } = useI18n();
  return (
    <InventoryList<Schemas['AdministrativeUnit']>
      title="units"
      queryKey="units"
      load={async (q, offset) => dataOf(await api.GET('/api/v1/administrative-units', { params: { query: query(q, offset) } }))}
      columns={[
        { label: 'unitName', cell: (u) => u.name },
        { label: 'code', cell: (u) => u.code },
        { label: 'level', cell: (u) => t(`level_${u.level}` as TextKey) },
      ]}
    />
  );
}
