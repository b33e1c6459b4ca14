import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiProblem, dataOf, type Schemas } from '../api';
import { type TextKey, useI18n } from '../i18n';

const DAY = 86_400_000;
const WINDOWS = [7, 30, 365] as const;
const TIMELINE_DAYS = 30;

/** The outages of the last 30 days on one line: red where the device was down. */
function Timeline({ outages, now }: { outages: Array<{ startedAt: string; endedAt: string | null; cause: string }>; now: number }) {
  const { t, dateTime } = useI18n();
  const from = now - TIMELINE_DAYS * DAY;
  const w = 720;
  const x = (ms: number) => ((Math.max(ms, from) - from) / (now - from)) * w;
  return (
    <svg className="timeline" width="100%" viewBox={`0 0 ${w} 34`} role="img" aria-label={`${t('outages')}: ${outages.length}`}>
      <rect x="0" y="6" width={w} height="16" className="tl-up" />
      {outages.map((o) => {
        // At least 3 px wide, and inside the line: a short outage today is still seen.
        const end = x(o.endedAt ? Date.parse(o.endedAt) : now);
        const width = Math.max(3, end - x(Date.parse(o.startedAt)));
        const start = Math.min(x(Date.parse(o.startedAt)), w - width);
        return (
          <rect key={o.startedAt} x={start} y="6" width={width} height="16" className="tl-down">
            <title>{`${dateTime(o.startedAt)} – ${o.endedAt ? dateTime(o.endedAt) : t('ongoing')} (${t(`cause_${o.cause}` as TextKey)})`}</title>
          </rect>
        );
      })}
      <text x="0" y="33" className="tl-axis">{dateTime(new Date(from).toISOString()).slice(0, 10)}</text>
      <text x={w} y="33" textAnchor="end" className="tl-axis">{dateTime(new Date(now).toISOString()).slice(0, 10)}</text>
    </svg>
  );
}

/** One device: its inventory fields, SNMP profile (no secret), latest poll, outages, availability and history. */
type Device = Schemas['Device'];
const STATUSES = ['planned', 'active', 'faulty', 'retired'] as const;

/** dd/mm/yyyy to YYYY-MM-DD; other text goes as typed, for the API to judge; empty is null. */
function isoOrNull(text: string): string | null {
  const tx = text.trim();
  if (!tx) return null;
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(tx);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : tx;
}

/** Edits a device (only what changed is sent, with the version read) or deletes it after a confirmation. */
function EditDevice({ device, etag }: { device: Device; etag: string }) {
  const { t, day } = useI18n();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const initial = {
    name: device.name ?? '',
    model: device.model ?? '',
    serialNumber: device.serialNumber ?? '',
    managementAddress: device.managementAddress ?? '',
    status: device.status,
    commissionedOn: device.commissionedOn ? day(device.commissionedOn) : '',
    retiredOn: device.retiredOn ? day(device.retiredOn) : '',
    notes: device.notes ?? '',
  };
  const [form, setForm] = useState(initial);
  const save = useMutation({
    mutationFn: async () => {
      const patch: Record<string, string | null> = {};
      for (const k of Object.keys(form) as Array<keyof typeof form>) {
        if (form[k] === initial[k]) continue;
        patch[k] = k === 'commissionedOn' || k === 'retiredOn' ? isoOrNull(form[k]) : k === 'status' ? form[k] : form[k].trim() || null;
      }
      return dataOf(await api.PATCH('/api/v1/devices/{id}', { params: { path: { id: device.id }, header: { 'If-Match': etag } }, body: patch as never }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['device', device.id] }),
  });
  const remove = useMutation({
    mutationFn: async () => {
      const r = await api.DELETE('/api/v1/devices/{id}', { params: { path: { id: device.id }, header: { 'If-Match': etag } } });
      if (!r.response.ok) throw new ApiProblem(r.response.status, r.error as never);
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['devices'] });
      void navigate('/devices');
    },
  });
  const errors: Record<string, string> = {};
  if (save.error instanceof ApiProblem) for (const e of save.error.problem?.errors ?? []) errors[e.field] ??= e.message;
  const stale = (save.error instanceof ApiProblem && save.error.status === 412) || (remove.error instanceof ApiProblem && remove.error.status === 412);
  const field = (key: Exclude<keyof typeof form, 'status'>, label: TextKey) => (
    <div className="field">
      <label htmlFor={`edit-${key}`}>{t(label)}</label>
      <input id={`edit-${key}`} value={form[key]} placeholder={key.endsWith('On') ? 'dd/mm/yyyy' : undefined} onChange={(e) => setForm({ ...form, [key]: e.target.value })} aria-invalid={errors[key] ? true : undefined} aria-describedby={errors[key] ? `edit-${key}-error` : undefined} />
      {errors[key] && <span id={`edit-${key}-error`} className="error">{errors[key]}</span>}
    </div>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="register" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">{t('editDevice')}</h2>
      {field('name', 'deviceName')}
      {field('model', 'model')}
      {field('serialNumber', 'serialNumber')}
      {field('managementAddress', 'managementAddress')}
      <div className="field">
        <label htmlFor="edit-status">{t('deviceStatus')}</label>
        <select id="edit-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
          {STATUSES.map((st) => (
            <option key={st} value={st}>{t(`equipment_${st}` as TextKey)}</option>
          ))}
        </select>
      </div>
      {field('commissionedOn', 'commissionedOn')}
      {field('retiredOn', 'retiredOn')}
      {field('notes', 'notes')}
      {stale && <p role="alert" className="error">{t('staleRecord')}</p>}
      {save.error && !stale && !Object.keys(errors).length && <p role="alert" className="error">{save.error.message}</p>}
      {remove.error && !stale && <p role="alert" className="error">{remove.error.message}</p>}
      {save.isSuccess && <p role="status" className="ok">{t('saved')}</p>}
      <p>
        <button type="submit" disabled={save.isPending}>{t('save')}</button>{' '}
        {!confirming ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>{t('delete')}</button>
        ) : (
          <span role="group" aria-label={t('confirmDelete')} className="confirm">
            {t('confirmDelete')}{' '}
            <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t('deleteForGood')}</button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>{t('cancel')}</button>
          </span>
        )}
      </p>
    </form>
  );
}

export function DevicePage({ canReadAudit, canWrite }: { canReadAudit: boolean; canWrite: boolean }) {
  const { t, num, day, dateTime } = useI18n();
  const { id } = useParams();
  const now = useQuery({ queryKey: ['now', id], queryFn: () => Date.now(), staleTime: Infinity }).data ?? Date.now();
  const device = useQuery({
    queryKey: ['device', id],
    queryFn: async () => {
      const r = await api.GET('/api/v1/devices/{id}', { params: { path: { id: id! } } });
      // The version read: sent back as If-Match, so an edit never overwrites someone else's.
      return { ...dataOf(r), etag: r.response.headers.get('ETag') ?? '' };
    },
  });
  const agency = useQuery({
    queryKey: ['agency', device.data?.agencyId],
    queryFn: async () => dataOf(await api.GET('/api/v1/agencies/{id}', { params: { path: { id: device.data!.agencyId } } })),
    enabled: !!device.data,
  });
  // A device with no SNMP profile, or never polled, answers 404: shown as "not monitored".
  const optional = async <T,>(r: { data?: T; error?: unknown; response: Response }) => (r.response.status === 404 ? null : dataOf(r));
  const profile = useQuery({ queryKey: ['snmp', id], queryFn: async () => optional(await api.GET('/api/v1/devices/{id}/snmp', { params: { path: { id: id! } } })) });
  const poll = useQuery({ queryKey: ['poll', id], queryFn: async () => optional(await api.GET('/api/v1/devices/{id}/poll-state', { params: { path: { id: id! } } })), refetchInterval: 10_000 });
  const outages = useQuery({
    queryKey: ['outages', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/devices/{id}/outages', { params: { path: { id: id! }, query: { from: new Date(now - TIMELINE_DAYS * DAY).toISOString(), limit: 1000 } } })),
    refetchInterval: 10_000,
  });
  const availability = useQuery({
    queryKey: ['availability', id],
    queryFn: async () =>
      Promise.all(WINDOWS.map(async (days) => dataOf(await api.GET('/api/v1/devices/{id}/availability', { params: { path: { id: id! }, query: { from: new Date(now - days * DAY).toISOString() } } })))),
  });
  const audit = useQuery({
    queryKey: ['audit', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/audit', { params: { query: { entityId: id, limit: 50 } } })),
    enabled: canReadAudit,
  });

  if (device.isPending) return <p className="loading">{t('loading')}</p>;
  if (device.error) return <p role="alert">{device.error instanceof ApiProblem && device.error.status === 404 ? t('notFound') : `${t('error')}: ${device.error.message}`}</p>;
  const d = device.data;
  const label = d.name ?? ([d.model, d.serialNumber].filter(Boolean).join(' ') || t(`kind_${d.kind}` as TextKey));
  const fields: Array<[TextKey, string | null]> = [
    ['kind', t(`kind_${d.kind}` as TextKey)],
    ['deviceStatus', t(`equipment_${d.status}` as TextKey)],
    ['agency', agency.data ? `${agency.data.name}${agency.data.code ? ` (${agency.data.code})` : ''}` : null],
    ['serialNumber', d.serialNumber],
    ['model', d.model],
    ['manufacturer', d.manufacturer],
    ['managementAddress', d.managementAddress],
    ['commissionedOn', d.commissionedOn ? day(d.commissionedOn) : null],
    ['retiredOn', d.retiredOn ? day(d.retiredOn) : null],
    ['notes', d.notes],
  ];
  const p = poll.data;
  return (
    <section aria-labelledby="device-title">
      <p className="crumbs">
        <Link to="/devices">← {t('devices')}</Link>
      </p>
      <h1 id="device-title">{label}</h1>
      {canWrite && <EditDevice key={d.etag} device={d} etag={d.etag} />}
      <div className="columns">
        <div>
          <h2>{t('inventory')}</h2>
          <dl className="facts">
            {fields.map(([k, v]) => (
              <div key={k}>
                <dt>{t(k)}</dt>
                <dd>{v ?? '—'}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div>
          <h2>{t('monitoring')}</h2>
          {profile.data === null || !profile.data ? (
            <p>{t('notMonitored')}</p>
          ) : (
            <dl className="facts" data-testid="snmp">
              {Object.entries(profile.data)
                .filter(([k, v]) => ['version', 'port', 'intervalSeconds', 'pollerGroup', 'hasCommunity', 'securityLevel', 'username'].includes(k) && v !== null && v !== undefined)
                .map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{String(v)}</dd>
                  </div>
                ))}
            </dl>
          )}
          {p && (
            <dl className="facts" data-testid="poll">
              <div>
                <dt>{t('pollState')}</dt>
                <dd>
                  <span className={`pill state-${p.state}`}>{t(p.state as TextKey)}</span> {t('since')} {p.since ? dateTime(p.since) : '—'}
                </dd>
              </div>
              <div>
                <dt>{t('lastPoll')}</dt>
                <dd>{p.polledAt ? dateTime(p.polledAt) : '—'}</dd>
              </div>
              <div>
                <dt>sysName</dt>
                <dd>{p.sysName ?? '—'}</dd>
              </div>
              {p.lastFailure && (
                <div>
                  <dt>{t('reason')}</dt>
                  <dd>{t(`failure_${p.lastFailure}` as TextKey)}</dd>
                </div>
              )}
            </dl>
          )}
        </div>
      </div>

      <h2>{t('availability')}</h2>
      <table className="availability">
        <thead>
          <tr>
            <th scope="col">{t('window')}</th>
            <th scope="col" className="num">{t('availability')}</th>
            <th scope="col" className="num">{t('downTime')}</th>
            <th scope="col" className="num">{t('unwatched')}</th>
          </tr>
        </thead>
        <tbody>
          {WINDOWS.map((days, i) => {
            const a = availability.data?.[i];
            return (
              <tr key={days} data-days={days}>
                <th scope="row">{t(`last${days}` as TextKey)}</th>
                <td className="num">{a?.availabilityPercent == null ? '—' : `${num(a.availabilityPercent, 2)}%`}</td>
                <td className="num">{a ? `${num(a.downSeconds / 60, 1)} ${t('minutes')}` : ''}</td>
                <td className="num">{a ? `${num(a.unknownSeconds / 3600, 1)} ${t('hours')}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>

      <h2>{t('outages')} ({t('last30')})</h2>
      {outages.data && <Timeline outages={outages.data.items} now={Date.now()} />}
      {outages.data && outages.data.items.length > 0 && (
        <table className="outages">
          <thead>
            <tr>
              <th scope="col">{t('since')}</th>
              <th scope="col">{t('until')}</th>
              <th scope="col">{t('reason')}</th>
            </tr>
          </thead>
          <tbody>
            {outages.data.items.map((o) => (
              <tr key={o.id}>
                <td>{dateTime(o.startedAt)}</td>
                <td>{o.endedAt ? dateTime(o.endedAt) : t('ongoing')}</td>
                <td>{t(`cause_${o.cause}` as TextKey)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {canReadAudit && (
        <>
          <h2>{t('history')}</h2>
          <table className="history">
            <thead>
              <tr>
                <th scope="col">{t('when')}</th>
                <th scope="col">{t('who')}</th>
                <th scope="col">{t('change')}</th>
              </tr>
            </thead>
            <tbody>
              {audit.data?.items.map((e) => {
                const changed = e.after && e.before ? Object.keys(e.after as Record<string, unknown>).filter((k) => k !== 'updatedAt' && JSON.stringify((e.before as Record<string, unknown>)[k]) !== JSON.stringify((e.after as Record<string, unknown>)[k])) : [];
                return (
                  <tr key={String(e.id)}>
                    <td>{dateTime(e.occurredAt)}</td>
                    <td>{e.actor}</td>
                    <td>
                      {t(`action_${e.action}` as TextKey)}
                      {e.entityType !== 'device' ? ` (${t(`entity_${e.entityType}` as TextKey)})` : ''}
                      {changed.length ? `: ${changed.join(', ')}` : ''}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
