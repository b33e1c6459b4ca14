import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useCallback, useState } from 'react';
import { NavLink, useSearchParams } from 'react-router';
import { api, dataOf, type Schemas } from '../api';
import { fieldErrors } from '../forms';
import { type TextKey, useI18n } from '../i18n';
import { DEVICE_KINDS, RULE_KINDS } from '../vocabulary';
import { Field } from './Field';
import { Picker } from './Picker';

type Rule = Schemas['AlertRule'] & { channelIds: string[] };
type RuleKind = (typeof RULE_KINDS)[number];

/** Incidents, rules, channels: the three pages of alerting, one menu. */
function AlertsNav() {
  const { t } = useI18n();
  return (
    <nav className="subnav" aria-label={t('alerts')}>
      <NavLink to="/alerts" end>
        {t('incidents')}
      </NavLink>
      <NavLink to="/alerts/rules">{t('alertRules')}</NavLink>
      <NavLink to="/alerts/channels">{t('channels')}</NavLink>
    </nav>
  );
}

function useChannels() {
  return useQuery({ queryKey: ['alert-channels'], queryFn: async () => dataOf(await api.GET('/api/v1/alerts/channels')).items });
}

/** Incidents within the user's scope, open ones first by default; acknowledge; what was sent and how each attempt went. */
export function IncidentsPage({ canWrite }: { canWrite: boolean }) {
  const { t, num, dateTime } = useI18n();
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const state = (params.get('state') ?? 'open') as 'open' | 'resolved' | 'all';
  const [shown, setShown] = useState<string | null>(null);
  const incidents = useQuery({
    queryKey: ['incidents', state],
    queryFn: async () => dataOf(await api.GET('/api/v1/alerts/incidents', { params: { query: { state, limit: 200 } } })),
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });
  const ack = useMutation({
    mutationFn: async (id: string) => dataOf(await api.POST('/api/v1/alerts/incidents/{id}/acknowledge', { params: { path: { id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ['incidents'] }),
  });
  return (
    <section aria-labelledby="incidents-title">
      <AlertsNav />
      <h1 id="incidents-title">{t('incidents')}</h1>
      <div className="toolbar">
        <label htmlFor="incident-state">{t('show')}</label>
        <select id="incident-state" value={state} onChange={(e) => setParams({ state: e.target.value }, { replace: true })}>
          <option value="open">{t('incidentsOpen')}</option>
          <option value="resolved">{t('incidentsResolved')}</option>
          <option value="all">{t('incidentsAll')}</option>
        </select>
        <span className="meta" aria-live="polite" aria-busy={incidents.isFetching}>
          {incidents.data ? `${t('incidentsCount')}: ${num(incidents.data.total)}` : ''} — {t('refreshEvery')}
        </span>
      </div>
      {ack.error && <p role="alert">{ack.error.message}</p>}
      {incidents.error && <p role="alert">{t('error')}: {incidents.error.message}</p>}
      {incidents.data && incidents.data.items.length === 0 && <p>{state === 'open' ? t('noOpenIncidents') : t('noIncidents')}</p>}
      {incidents.data && incidents.data.items.length > 0 && (
        <table className="incidents">
          <thead>
            <tr>
              <th scope="col">{t('incident')}</th>
              <th scope="col">{t('alertRule')}</th>
              <th scope="col">{t('openedAt')}</th>
              <th scope="col">{t('resolvedAt')}</th>
              <th scope="col">{t('acknowledged')}</th>
              <th scope="col">{t('notices')}</th>
            </tr>
          </thead>
          <tbody>
            {incidents.data.items.map((i) => (
              <IncidentRow key={i.id} incident={i} canWrite={canWrite} onAck={() => ack.mutate(i.id)} acking={ack.isPending && ack.variables === i.id} shown={shown === i.id} toggle={() => setShown(shown === i.id ? null : i.id)} dateTime={dateTime} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function IncidentRow({
  incident: i,
  canWrite,
  onAck,
  acking,
  shown,
  toggle,
  dateTime,
}: {
  incident: Schemas['AlertIncident'];
  canWrite: boolean;
  onAck: () => void;
  acking: boolean;
  shown: boolean;
  toggle: () => void;
  dateTime: (iso: string) => string;
}) {
  const { t } = useI18n();
  return (
    <>
      <tr data-incident={i.id} className={i.resolvedAt ? 'resolved' : 'open'}>
        <th scope="row">
          {i.summary}
          {i.silenced && <span className="tag">{t('silenced')}</span>}
        </th>
        <td>
          {i.ruleName} <span className="meta">({t(`ruleKind_${i.kind}` as TextKey)})</span>
        </td>
        <td>{dateTime(i.openedAt)}</td>
        <td>{i.resolvedAt ? dateTime(i.resolvedAt) : <strong>{t('incidentsOpen')}</strong>}</td>
        <td>
          {i.acknowledgedAt ? (
            `${i.acknowledgedBy} · ${dateTime(i.acknowledgedAt)}`
          ) : canWrite && !i.resolvedAt ? (
            <button type="button" onClick={onAck} disabled={acking}>
              {t('acknowledge')}
            </button>
          ) : (
            '—'
          )}
        </td>
        <td>
          <button type="button" className="link" aria-expanded={shown} onClick={toggle}>
            {shown ? t('hide') : t('showNotices')}
          </button>
        </td>
      </tr>
      {shown && (
        <tr className="details">
          <td colSpan={6}>
            <Deliveries incidentId={i.id} />
          </td>
        </tr>
      )}
    </>
  );
}

function Deliveries({ incidentId }: { incidentId: string }) {
  const { t, dateTime } = useI18n();
  const list = useQuery({ queryKey: ['deliveries', incidentId], queryFn: async () => dataOf(await api.GET('/api/v1/alerts/incidents/{id}/deliveries', { params: { path: { id: incidentId } } })), refetchInterval: 5000 });
  if (list.isPending) return <p className="loading">{t('loading')}</p>;
  if (list.error) return <p role="alert">{list.error.message}</p>;
  if (list.data.items.length === 0) return <p>{t('noNotices')}</p>;
  return (
    <table className="deliveries" aria-label={t('notices')}>
      <thead>
        <tr>
          <th scope="col">{t('notice')}</th>
          <th scope="col">{t('channel')}</th>
          <th scope="col">{t('deliveryStatus')}</th>
          <th scope="col">{t('attempts')}</th>
        </tr>
      </thead>
      <tbody>
        {list.data.items.map((d) => (
          <tr key={d.id} data-delivery={d.id}>
            <th scope="row">{t(`notice_${d.event}` as TextKey)}{d.event === 'reminder' ? ` ${d.seq}` : ''}</th>
            <td>{d.channelName ?? '—'}</td>
            <td>{t(`delivery_${d.status}` as TextKey)}</td>
            <td>
              <ol className="attempts">
                {d.attemptsList.map((a) => (
                  <li key={a.id} className={a.ok ? 'ok' : 'failed'}>
                    {dateTime(a.startedAt)} — {a.ok ? t('attemptOk') : t('attemptFailed')}
                    {a.response ? ` (${a.response})` : ''}
                    {a.error && !a.ok ? `: ${a.error}` : ''}
                  </li>
                ))}
              </ol>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const EMPTY_RULE = { name: '', kind: 'device_down' as RuleKind, minutes: '5', days: '30', targetPercent: '99.9', intervals: '3', pollerGroup: 'default', deviceKind: '', agencyId: '', unitId: '', dataCentre: '', reminderMinutes: '', channelIds: [] as string[] };

/** What a rule's numbers mean, in words. */
function condition(r: Rule, t: (k: TextKey) => string, num: (n: number, d?: number) => string): string | undefined {
  switch (r.kind) {
    case 'device_down':
    case 'interface_down':
      return `≥ ${num(r.minutes ?? 0)} ${t('minutesUnit')}`;
    case 'poller_silent':
      return `${r.pollerGroup}: ≥ ${num(r.minutes ?? 0)} ${t('minutesUnit')}`;
    case 'availability_below':
      return `< ${num(r.targetPercent ?? 0, 1)}% / ${num(r.days ?? 0)} ${t('daysUnit')}`;
    case 'not_polled':
      return `≥ ${num(r.intervals ?? 0)} ${t('intervalsUnit')}`;
  }
}

/** Rules within the user's scope; a form for a new one; enable, disable, remove. */
export function RulesPage({ canWrite }: { canWrite: boolean }) {
  const { t, num } = useI18n();
  const client = useQueryClient();
  const rules = useQuery({ queryKey: ['alert-rules'], queryFn: async () => dataOf(await api.GET('/api/v1/alerts/rules')).items as Rule[] });
  const channels = useChannels();
  const [form, setForm] = useState(EMPTY_RULE);
  const set = (patch: Partial<typeof EMPTY_RULE>) => setForm((f) => ({ ...f, ...patch }));
  const pickAgency = useCallback((id: string) => setForm((f) => (f.agencyId === id ? f : { ...f, agencyId: id })), []);
  const pickUnit = useCallback((id: string) => setForm((f) => (f.unitId === id ? f : { ...f, unitId: id })), []);
  const numberOrUndefined = (s: string) => (s.trim() === '' ? undefined : Number(s.replace(',', '.')));
  const create = useMutation({
    mutationFn: async () => {
      const k = form.kind;
      const devices = k !== 'poller_silent';
      return dataOf(
        await api.POST('/api/v1/alerts/rules', {
          body: {
            name: form.name,
            kind: k,
            minutes: k === 'device_down' || k === 'interface_down' || k === 'poller_silent' ? numberOrUndefined(form.minutes) : undefined,
            days: k === 'availability_below' ? numberOrUndefined(form.days) : undefined,
            targetPercent: k === 'availability_below' ? numberOrUndefined(form.targetPercent) : undefined,
            intervals: k === 'not_polled' ? numberOrUndefined(form.intervals) : undefined,
            pollerGroup: k === 'poller_silent' ? form.pollerGroup : undefined,
            deviceKind: devices && form.deviceKind ? (form.deviceKind as (typeof DEVICE_KINDS)[number]) : undefined,
            agencyId: devices && form.agencyId ? form.agencyId : undefined,
            unitId: devices && form.unitId ? form.unitId : undefined,
            dataCentre: devices && form.dataCentre.trim() ? form.dataCentre.trim() : undefined,
            reminderMinutes: numberOrUndefined(form.reminderMinutes) ?? null,
            channelIds: form.channelIds,
          },
        }),
      );
    },
    onSuccess: () => {
      setForm({ ...EMPTY_RULE, channelIds: form.channelIds });
      void client.invalidateQueries({ queryKey: ['alert-rules'] });
    },
  });
  const toggle = useMutation({
    mutationFn: async (r: Rule) => dataOf(await api.PATCH('/api/v1/alerts/rules/{id}', { params: { path: { id: r.id } }, body: { enabled: !r.enabled } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ['alert-rules'] }),
  });
  const remove = useMutation({
    mutationFn: async (r: Rule) => dataOf(await api.DELETE('/api/v1/alerts/rules/{id}', { params: { path: { id: r.id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ['alert-rules'] }),
  });
  const errors = fieldErrors(create.error);
  const names = new Map((channels.data ?? []).map((c) => [c.id, c.name]));
  const textField = (key: 'name' | 'pollerGroup' | 'dataCentre' | 'minutes' | 'days' | 'targetPercent' | 'intervals' | 'reminderMinutes', label: TextKey, hint?: TextKey) => (
    <Field id={`rule-${key}`} label={t(label)} hint={hint && t(hint)} error={errors[key]}>
      {(aria) => <input id={`rule-${key}`} inputMode={key === 'name' || key === 'pollerGroup' || key === 'dataCentre' ? undefined : 'decimal'} value={form[key]} onChange={(e) => set({ [key]: e.target.value })} {...aria} />}
    </Field>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const k = form.kind;
  return (
    <section aria-labelledby="rules-title">
      <AlertsNav />
      <h1 id="rules-title">{t('alertRules')}</h1>
      {rules.error && <p role="alert">{t('error')}: {rules.error.message}</p>}
      {(toggle.error || remove.error) && <p role="alert">{(toggle.error ?? remove.error)!.message}</p>}
      {rules.data && rules.data.length === 0 && <p>{t('noRules')}</p>}
      {rules.data && rules.data.length > 0 && (
        <table className="rules">
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('ruleKind')}</th>
              <th scope="col">{t('condition')}</th>
              <th scope="col">{t('channels')}</th>
              <th scope="col">{t('reminders')}</th>
              <th scope="col">{t('deviceStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {rules.data.map((r) => (
              <tr key={r.id} data-rule={r.id}>
                <th scope="row">{r.name}</th>
                <td>{t(`ruleKind_${r.kind}` as TextKey)}</td>
                <td>
                  {condition(r, t, num)}
                  {r.deviceKind ? ` · ${t(`kind_${r.deviceKind}` as TextKey)}` : ''}
                  {r.dataCentre ? ` · ${r.dataCentre}` : ''}
                </td>
                <td>{r.channelIds.map((id) => names.get(id) ?? id).join(', ')}</td>
                <td>{r.reminderMinutes ? `${num(r.reminderMinutes)} ${t('minutesUnit')}` : '—'}</td>
                <td>
                  {r.enabled ? t('ruleActive') : t('ruleInactive')}
                  {canWrite && (
                    <>
                      {' '}
                      <button type="button" onClick={() => toggle.mutate(r)}>
                        {r.enabled ? t('ruleOff') : t('ruleOn')}
                      </button>{' '}
                      <button type="button" className="danger" onClick={() => window.confirm(t('confirmRemoveRule')) && remove.mutate(r)}>
                        {t('remove')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && (
        <form className="register" onSubmit={submit} aria-labelledby="new-rule-title">
          <h2 id="new-rule-title">{t('newRule')}</h2>
          {textField('name', 'name')}
          <div className="field">
            <label htmlFor="rule-kind">{t('ruleKind')}</label>
            <select id="rule-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as RuleKind })}>
              {RULE_KINDS.map((x) => (
                <option key={x} value={x}>
                  {t(`ruleKind_${x}` as TextKey)}
                </option>
              ))}
            </select>
          </div>
          {(k === 'device_down' || k === 'interface_down' || k === 'poller_silent') && textField('minutes', 'forMinutes', k === 'poller_silent' ? 'pollerSilentHint' : undefined)}
          {k === 'availability_below' && textField('targetPercent', 'targetPercent')}
          {k === 'availability_below' && textField('days', 'overDays')}
          {k === 'not_polled' && textField('intervals', 'missedIntervals')}
          {k === 'poller_silent' ? (
            textField('pollerGroup', 'pollerGroup')
          ) : (
            <fieldset>
              <legend>{t('whichDevices')}</legend>
              <div className="field">
                <label htmlFor="rule-deviceKind">{t('kind')}</label>
                <select id="rule-deviceKind" value={form.deviceKind} onChange={(e) => set({ deviceKind: e.target.value })}>
                  <option value="">{t('anyKind')}</option>
                  {DEVICE_KINDS.map((x) => (
                    <option key={x} value={x}>
                      {t(`kind_${x}` as TextKey)}
                    </option>
                  ))}
                </select>
              </div>
              <Field id="rule-agency" label={t('agency')} error={errors.agencyId}>
                {(aria) => <Picker id="rule-agency" kind="agency" onPick={pickAgency} invalid={!!aria['aria-invalid']} describedBy={aria['aria-describedby']} />}
              </Field>
              <Field id="rule-unit" label={t('unitAndBeneath')} error={errors.unitId}>
                {(aria) => <Picker id="rule-unit" kind="unit" onPick={pickUnit} invalid={!!aria['aria-invalid']} describedBy={aria['aria-describedby']} />}
              </Field>
              {textField('dataCentre', 'dataCentre')}
            </fieldset>
          )}
          {textField('reminderMinutes', 'remindEvery', 'remindHint')}
          <fieldset aria-describedby={errors.channelIds || errors['channelIds[0]'] ? 'rule-channels-error' : undefined}>
            <legend>{t('channels')}</legend>
            {(channels.data ?? []).length === 0 && <p>{t('noChannelsYet')}</p>}
            {(channels.data ?? []).map((c) => (
              <label key={c.id} className="check">
                <input
                  type="checkbox"
                  checked={form.channelIds.includes(c.id)}
                  onChange={(e) => set({ channelIds: e.target.checked ? [...form.channelIds, c.id] : form.channelIds.filter((x) => x !== c.id) })}
                />{' '}
                {c.name} <span className="meta">({t(`channelKind_${c.kind}` as TextKey)})</span>
              </label>
            ))}
            {(errors.channelIds || errors['channelIds[0]']) && (
              <span id="rule-channels-error" className="error">
                {errors.channelIds ?? errors['channelIds[0]']}
              </span>
            )}
          </fieldset>
          {create.error && !Object.keys(errors).length && <p role="alert">{create.error.message}</p>}
          {create.isSuccess && (
            <p role="status" className="ok">
              {t('created')}: {create.data.name}
            </p>
          )}
          <button type="submit" disabled={create.isPending}>
            {t('save')}
          </button>
        </form>
      )}
    </section>
  );
}

const EMPTY_CHANNEL = { name: '', kind: 'email' as 'email' | 'webhook', recipients: '', url: '', secret: '' };

/** Where notices go: e-mail addresses, or a webhook signed with its secret (never shown again). */
export function ChannelsPage({ canWrite }: { canWrite: boolean }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const channels = useChannels();
  const [form, setForm] = useState(EMPTY_CHANNEL);
  const set = (patch: Partial<typeof EMPTY_CHANNEL>) => setForm((f) => ({ ...f, ...patch }));
  const create = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.POST('/api/v1/alerts/channels', {
          body:
            form.kind === 'email'
              ? { name: form.name, kind: 'email', recipients: form.recipients.split(/[,;\s]+/).filter(Boolean) }
              : { name: form.name, kind: 'webhook', url: form.url.trim(), secret: form.secret },
        }),
      ),
    onSuccess: () => {
      setForm({ ...EMPTY_CHANNEL, kind: form.kind });
      void client.invalidateQueries({ queryKey: ['alert-channels'] });
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) => dataOf(await api.DELETE('/api/v1/alerts/channels/{id}', { params: { path: { id } } })),
    onSettled: () => void client.invalidateQueries({ queryKey: ['alert-channels'] }),
  });
  const test = useMutation({
    mutationFn: async (id: string) => ({ id, ...dataOf(await api.POST('/api/v1/alerts/channels/{id}/test', { params: { path: { id } } })) }),
  });
  const errors = fieldErrors(create.error);
  const text = (key: 'name' | 'recipients' | 'url' | 'secret', label: TextKey, type = 'text', hint?: TextKey) => (
    <Field id={`channel-${key}`} label={t(label)} hint={hint && t(hint)} error={errors[key]}>
      {(aria) => <input id={`channel-${key}`} type={type} autoComplete={type === 'password' ? 'new-password' : 'off'} value={form[key]} onChange={(e) => set({ [key]: e.target.value })} {...aria} />}
    </Field>
  );
  return (
    <section aria-labelledby="channels-title">
      <AlertsNav />
      <h1 id="channels-title">{t('channels')}</h1>
      {channels.error && <p role="alert">{t('error')}: {channels.error.message}</p>}
      {remove.error && <p role="alert">{remove.error.message}</p>}
      {channels.data && channels.data.length === 0 && <p>{t('noChannelsYet')}</p>}
      {channels.data && channels.data.length > 0 && (
        <table className="channels">
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('channelKind')}</th>
              <th scope="col">{t('sendsTo')}</th>
              {canWrite && <th scope="col">{t('actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {channels.data.map((c) => (
              <tr key={c.id} data-channel={c.id}>
                <th scope="row">{c.name}</th>
                <td>{t(`channelKind_${c.kind}` as TextKey)}</td>
                <td>{c.kind === 'email' ? (c.recipients ?? []).join(', ') : `${c.url} (${t('signed')})`}</td>
                {canWrite && (
                  <td>
                    <button type="button" onClick={() => test.mutate(c.id)} disabled={test.isPending && test.variables === c.id}>
                      {t('sendTest')}
                    </button>{' '}
                    <button type="button" className="danger" onClick={() => window.confirm(t('confirmRemoveChannel')) && remove.mutate(c.id)}>
                      {t('remove')}
                    </button>
                    {test.data?.id === c.id && (
                      <p role="status" className={test.data.ok ? 'ok' : 'error'}>
                        {test.data.ok ? t('testSent') : t('testFailed')}: {test.data.ok ? test.data.response : test.data.error}
                      </p>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && (
        <form
          className="register"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
          aria-labelledby="new-channel-title"
        >
          <h2 id="new-channel-title">{t('newChannel')}</h2>
          {text('name', 'name')}
          <div className="field">
            <label htmlFor="channel-kind">{t('channelKind')}</label>
            <select id="channel-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value as 'email' | 'webhook' })}>
              <option value="email">{t('channelKind_email')}</option>
              <option value="webhook">{t('channelKind_webhook')}</option>
            </select>
          </div>
          {form.kind === 'email' ? text('recipients', 'recipients', 'text', 'recipientsHint') : (
            <>
              {text('url', 'webhookUrl')}
              {text('secret', 'webhookSecret', 'password', 'webhookSecretHint')}
            </>
          )}
          {create.isSuccess && (
            <p role="status" className="ok">
              {t('created')}: {create.data.name}
            </p>
          )}
          <button type="submit" disabled={create.isPending}>
            {t('save')}
          </button>
        </form>
      )}
    </section>
  );
}
