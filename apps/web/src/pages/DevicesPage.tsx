import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiProblem, dataOf, type Schemas } from '../api';
import { type TextKey, useI18n } from '../i18n';
import { InventoryNav } from './InventoryNav';

type Kind = Schemas['CreateDevice']['kind'];
const KINDS: Kind[] = ['router', 'switch', 'firewall', 'server', 'videoconference_endpoint', 'workstation', 'ups', 'other'];
const PAGE = 50;

/** dd/mm/yyyy (as offices type a day) to YYYY-MM-DD; anything else goes as typed, for the API to judge. */
function isoDay(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : text.trim();
}

/** The API's field errors, by field, for the form to show beside each field. */
function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ApiProblem) for (const e of err.problem?.errors ?? []) out[e.field] ??= e.message;
  return out;
}

function RegisterDevice({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [agencyText, setAgencyText] = useState('');
  const [form, setForm] = useState({ kind: 'router' as Kind, serialNumber: '', model: '', name: '', commissionedOn: '' });
  // An option reads "name (code)": the search is on what precedes the code.
  const agencyQuery = agencyText.replace(/\s*\([^)]*\)\s*$/, '').trim();
  const agencies = useQuery({
    queryKey: ['agencies', agencyQuery],
    queryFn: async () => dataOf(await api.GET('/api/v1/agencies', { params: { query: { q: agencyQuery || undefined, limit: 20, sort: 'name' } } })),
    placeholderData: keepPreviousData,
  });
  const agency = agencies.data?.items.find((a) => `${a.name} (${a.code ?? ''})` === agencyText);
  const save = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.POST('/api/v1/devices', {
          body: {
            agencyId: agency?.id ?? '',
            kind: form.kind,
            serialNumber: form.serialNumber || undefined,
            model: form.model || undefined,
            name: form.name || undefined,
            commissionedOn: form.commissionedOn ? isoDay(form.commissionedOn) : undefined,
          },
        }),
      ),
    onSuccess: () => {
      setForm({ kind: form.kind, serialNumber: '', model: '', name: '', commissionedOn: '' });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const field = (key: keyof typeof form, label: TextKey, extra: { placeholder?: string } = {}) => (
    <div className="field">
      <label htmlFor={`device-${key}`}>{t(label)}</label>
      <input
        id={`device-${key}`}
        value={form[key]}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `device-${key}-error` : undefined}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        {...extra}
      />
      {errors[key] && (
        <span id={`device-${key}-error`} className="error">
          {errors[key]}
        </span>
      )}
    </div>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="register" onSubmit={submit} aria-labelledby="register-title">
      <h2 id="register-title">{t('registerDevice')}</h2>
      <div className="field">
        <label htmlFor="device-agency">{t('agency')}</label>
        <input id="device-agency" list="agency-options" value={agencyText} onChange={(e) => setAgencyText(e.target.value)} aria-invalid={errors.agencyId ? true : undefined} aria-describedby={errors.agencyId ? 'device-agency-error' : undefined} />
        <datalist id="agency-options">
          {agencies.data?.items.map((a) => (
            <option key={a.id} value={`${a.name} (${a.code ?? ''})`} />
          ))}
        </datalist>
        {errors.agencyId && (
          <span id="device-agency-error" className="error">
            {errors.agencyId}
          </span>
        )}
      </div>
      <div className="field">
        <label htmlFor="device-kind">{t('kind')}</label>
        <select id="device-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Kind })}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind_${k}` as TextKey)}
            </option>
          ))}
        </select>
      </div>
      {field('serialNumber', 'serialNumber')}
      {field('model', 'model')}
      {field('name', 'deviceName')}
      {field('commissionedOn', 'commissionedOn', { placeholder: 'dd/mm/yyyy' })}
      {save.error && !Object.keys(errors).length && (
        <p role="alert" className="error">
          {save.error.message}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="ok">
          {t('registered')}: {(save.data as Schemas['Device']).serialNumber ?? (save.data as Schemas['Device']).id}
        </p>
      )}
      <button type="submit" disabled={save.isPending}>
        {t('save')}
      </button>
    </form>
  );
}

/** The devices within the account's scope: search without diacritics, a kind filter, pages of 50. */
export function DevicesPage({ canWrite }: { canWrite: boolean }) {
  const { t, num, day } = useI18n();
  const client = useQueryClient();
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
      {canWrite && <RegisterDevice onDone={() => void client.invalidateQueries({ queryKey: ['devices'] })} />}
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
          <nav className="pager" aria-label={t('pages')}>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              ← {t('previous')}
            </button>
            <span aria-live="polite">
              {num(list.data.total ? offset + 1 : 0)}–{num(offset + list.data.items.length)} / {num(list.data.total)}
            </span>
            <button type="button" disabled={offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>
              {t('next')} →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
