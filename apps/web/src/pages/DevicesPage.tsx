import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, dataOf, type Schemas } from '../api';
import { Pager } from '../Pager';
import { type TextKey, useI18n } from '../i18n';
import { CreateForm, type FieldSpec } from './CreateForm';
import { InventoryNav } from './InventoryNav';

type Kind = Schemas['CreateDevice']['kind'];
const KINDS: Kind[] = ['router', 'switch', 'firewall', 'server', 'videoconference_endpoint', 'workstation', 'ups', 'other'];
const PAGE = 50;

const DEVICE_FIELDS: FieldSpec[] = [
  { name: 'agencyId', label: 'agency', kind: 'agency' },
  { name: 'kind', label: 'kind', kind: 'select', options: KINDS.map((k) => ({ value: k, label: `kind_${k}` as TextKey })) },
  { name: 'serialNumber', label: 'serialNumber', kind: 'text' },
  { name: 'model', label: 'model', kind: 'text' },
  { name: 'name', label: 'deviceName', kind: 'text' },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
];

/** The devices within the account's scope: search without diacritics, a kind filter, pages of 50. */
export function DevicesPage({ canWrite }: { canWrite: boolean }) {
  const { t, day } = useI18n();
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<Kind | ''>('');
  const [offset, setOffset] = useState(0);
  const list = useQuery({
    queryKey: ['devices', q, kind, offset],
    queryFn: async () => dataOf(await api.GET('/api/v1/devices', { params: { query: { q: q || undefined, kind: kind ? [kind] : undefined, limit: PAGE, offset, sort: '-commissionedOn' } } })),
    placeholderData: keepPreviousData,
  });
  return (
    <section aria-labelledby="devices-title">
      <InventoryNav />
      <h1 id="devices-title">{t('devices')}</h1>
      {canWrite && (
        <CreateForm
          title="registerDevice"
          idPrefix="device"
          fields={DEVICE_FIELDS}
          invalidate="devices"
          submit={async (body) => dataOf(await api.POST('/api/v1/devices', { body: body as never }))}
          savedLabel={(d) => `${t('registered')}: ${(d as Schemas['Device']).serialNumber ?? (d as Schemas['Device']).id}`}
        />
      )}
      <div className="toolbar">
        <label>
          {t('search')}{' '}
          <input type="search" value={q} onChange={(e) => { setQ(e.target.value); setOffset(0); }} />
        </label>
        <label>
          {t('filterKind')}{' '}
          <select value={kind} onChange={(e) => { setKind(e.target.value as Kind | ''); setOffset(0); }}>
            <option value="">—</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`kind_${k}` as TextKey)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.error && <p role="alert">{t('error')}: {list.error.message}</p>}
      {list.data && (
        <>
          <table className="devices" aria-busy={list.isFetching}>
            <thead>
              <tr>
                <th scope="col">{t('serialNumber')}</th>
                <th scope="col">{t('kind')}</th>
                <th scope="col">{t('model')}</th>
                <th scope="col">{t('deviceName')}</th>
                <th scope="col">{t('deviceStatus')}</th>
                <th scope="col">{t('commissionedOn')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.id} data-serial={d.serialNumber ?? ''}>
                  <th scope="row">
                    <Link to={`/devices/${d.id}`}>{d.serialNumber ?? t(`kind_${d.kind}` as TextKey)}</Link>
                  </th>
                  <td>{t(`kind_${d.kind}` as TextKey)}</td>
                  <td>{d.model ?? ''}</td>
                  <td>{d.name ?? ''}</td>
                  <td>{t(`equipment_${d.status}` as TextKey)}</td>
                  <td>{d.commissionedOn ? day(d.commissionedOn) : ''}</td>
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
