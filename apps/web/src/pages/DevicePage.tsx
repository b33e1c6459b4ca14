import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiProblem, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';
import type { FieldSpec } from './CreateForm';
import { EditPanel } from './EditPanel';
import { TrafficChart } from './TrafficChart';
import { accessTo } from './records';
import { EQUIPMENT_STATUSES, optionsOf } from '../vocabulary';

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
const DEVICE_FIELDS: FieldSpec[] = [
  { name: 'name', label: 'deviceName', kind: 'text' },
  { name: 'model', label: 'model', kind: 'text' },
  { name: 'serialNumber', label: 'serialNumber', kind: 'text' },
  { name: 'managementAddress', label: 'managementAddress', kind: 'text' },
  { name: 'status', label: 'deviceStatus', kind: 'select', options: optionsOf(EQUIPMENT_STATUSES, 'equipment_') },
  { name: 'commissionedOn', label: 'commissionedOn', kind: 'day' },
  { name: 'retiredOn', label: 'retiredOn', kind: 'day' },
  { name: 'notes', label: 'notes', kind: 'text' },
];

const deviceAccess = accessTo('/api/v1/devices/{id}');

export function DevicePage({ canReadAudit, canWrite }: { canReadAudit: boolean; canWrite: boolean }) {
  const { t, num, day, dateTime } = useI18n();
  const { id } = useParams();
  const now = useQuery({ queryKey: ['now', id], queryFn: () => Date.now(), staleTime: Infinity }).data ?? Date.now();
  const navigate = useNavigate();
  const device = useQuery({ queryKey: ['device', id], queryFn: async () => dataOf(await api.GET('/api/v1/devices/{id}', { params: { path: { id: id! } } })) });
  const agency = useQuery({
    queryKey: ['agency', device.data?.agencyId],
    queryFn: async () => dataOf(await api.GET('/api/v1/agencies/{id}', { params: { path: { id: device.data!.agencyId } } })),
    enabled: !!device.data,
  });
  // A device with no SNMP profile, or never polled, answers 404: shown as "not monitored".
  const optional = async <T,>(r: { data?: T; error?: unknown; response: Response }) => (r.response.status === 404 ? null : dataOf(r));
  const profile = useQuery({ queryKey: ['snmp', id], queryFn: async () => optional(await api.GET('/api/v1/devices/{id}/snmp', { params: { path: { id: id! } } })) });
  const poll = useQuery({ queryKey: ['poll', id], queryFn: async () => optional(await api.GET('/api/v1/devices/{id}/poll-state', { params: { path: { id: id! } } })), refetchInterval: 10_000 });
  const interfaces = useQuery({
    queryKey: ['interfaces', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/devices/{id}/interfaces', { params: { path: { id: id! }, query: { limit: 1000 } } })),
    refetchInterval: 60_000,
  });
  // The WAN links this device carries: their interfaces are polled whatever the monitored mark says.
  const links = useQuery({
    queryKey: ['device-links', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/wan-links', { params: { query: { deviceId: id!, limit: 100 } } })),
  });
  const linkOn = new Map((links.data?.items ?? []).filter((l) => l.ifIndex !== null).map((l) => [l.ifIndex as number, l]));
  const client = useQueryClient();
  const mark = useMutation({
    mutationFn: async ({ interfaceId, monitored }: { interfaceId: string; monitored: boolean }) =>
      dataOf(await api.PATCH('/api/v1/devices/{id}/interfaces/{interfaceId}', { params: { path: { id: id!, interfaceId } }, body: { monitored } })),
    // The box follows the click at once; the list read afterwards says what the server kept.
    onMutate: ({ interfaceId, monitored }) => {
      // A read of the list already under way would land after the click and undo it on screen: it is
      // cancelled first (not awaited: the box must follow the click in the same render).
      void client.cancelQueries({ queryKey: ['interfaces', id] });
      client.setQueryData(['interfaces', id], (old: typeof interfaces.data) => old && { ...old, items: old.items.map((i) => (i.id === interfaceId ? { ...i, monitored } : i)) });
    },
    // Returned, so the mutation settles once the list is read again.
    onSettled: () => client.invalidateQueries({ queryKey: ['interfaces', id] }),
  });
  // The box shows the click in the click's own render (React state), until the list read after the
  // save says what the server kept: the query's data reaches the page a task later, and a check made
  // in between saw the box unchanged (a browser test failed so, once in a fresh-clone run).
  const [marking, setMarking] = useState<Record<string, boolean>>({});
  const interfaceNames = new Map((interfaces.data?.items ?? []).map((i) => [i.ifIndex, i.name]));
  const interfaceEvents = useQuery({
    queryKey: ['interface-events', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/devices/{id}/interface-events', { params: { path: { id: id! }, query: { limit: 20 } } })),
    refetchInterval: 60_000,
  });
  const neighbours = useQuery({
    queryKey: ['neighbours', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/devices/{id}/neighbours', { params: { path: { id: id! } } })).items,
    refetchInterval: 60_000,
  });
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
              {p.sysLocation && (
                <div>
                  <dt>sysLocation</dt>
                  <dd>{p.sysLocation}</dd>
                </div>
              )}
              {p.sysContact && (
                <div>
                  <dt>sysContact</dt>
                  <dd>{p.sysContact}</dd>
                </div>
              )}
              {p.bootedAt && (
                <div>
                  <dt>{t('bootedAt')}</dt>
                  <dd data-testid="booted">
                    {dateTime(p.bootedAt)}
                    {p.uptimeFrozenSince && (
                      <span className="hint">
                        {t('uptimeFrozen')} {dateTime(p.uptimeFrozenSince)}
                      </span>
                    )}
                  </dd>
                </div>
              )}
              {p.chassisProblem && (
                <div>
                  <dt>{t('chassisProblem')}</dt>
                  <dd data-testid="chassis-problem">{p.chassisProblem}</dd>
                </div>
              )}
              {p.lastFailure && (
                <div>
                  <dt>{t('reason')}</dt>
                  <dd data-testid="failure">
                    {t(`failure_${p.lastFailure}` as TextKey)}
                    {p.lastFailureMessage && <span className="hint">{p.lastFailureMessage}</span>}
                  </dd>
                </div>
              )}
            </dl>
          )}
        </div>
      </div>

      {canWrite && <EditPanel id={d.id} fields={DEVICE_FIELDS} access={deviceAccess(d.id)} invalidate="device" onClose={() => void navigate('/devices')} />}

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

      {interfaces.data && interfaces.data.items.length > 0 && (
        <>
          <h2>
            {t('interfaces')} ({num(interfaces.data.total ?? interfaces.data.items.length)})
          </h2>
          <p className="meta">
            {t('interfacesListedAt')} {dateTime(interfaces.data.items.reduce((m, i) => (i.lastSeenAt > m ? i.lastSeenAt : m), interfaces.data.items[0].lastSeenAt))}
          </p>
          <table className="interfaces">
            <thead>
              <tr>
                <th scope="col" className="num">ifIndex</th>
                <th scope="col">{t('interfaceName')}</th>
                <th scope="col">{t('interfaceAlias')}</th>
                <th scope="col">{t('interfaceType')}</th>
                <th scope="col" className="num">{t('speed')}</th>
                <th scope="col">{t('adminStatus')}</th>
                <th scope="col">{t('operStatus')}</th>
                <th scope="col">{t('monitoredInterface')}</th>
              </tr>
            </thead>
            <tbody>
              {interfaces.data.items.map((i) => (
                <tr key={i.id} data-if={i.name}>
                  <td className="num">{i.ifIndex}</td>
                  <th scope="row">{i.name}</th>
                  <td>{i.alias ?? ''}</td>
                  <td>{i.type ?? ''}</td>
                  <td className="num">{i.speedMbps ? (i.speedMbps >= 1000 ? `${num(i.speedMbps / 1000, i.speedMbps % 1000 ? 1 : 0)} Gbps` : `${num(i.speedMbps)} Mbps`) : '—'}</td>
                  <td>{i.adminStatus ? t(`if_${i.adminStatus}` as TextKey) ?? i.adminStatus : '—'}</td>
                  <td>{i.operStatus ? <span className={`pill if-${i.operStatus}`}>{t(`if_${i.operStatus}` as TextKey) ?? i.operStatus}</span> : '—'}</td>
                  <td>
                    {linkOn.has(i.ifIndex) ? (
                      <span className="badge" title={t('wanLinkPolled')}>
                        WAN
                      </span>
                    ) : (
                      <input
                        type="checkbox"
                        aria-label={`${t('monitoredInterface')} ${i.name}`}
                        checked={marking[i.id] ?? i.monitored}
                        disabled={!canWrite || mark.isPending}
                        onChange={(e) => {
                          const monitored = e.target.checked;
                          setMarking((m) => ({ ...m, [i.id]: monitored }));
                          mark.mutate({ interfaceId: i.id, monitored }, { onSettled: () => setMarking(({ [i.id]: _, ...rest }) => rest) });
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {interfaceEvents.data && interfaceEvents.data.items.length > 0 && (
            <ul className="interface-events">
              {interfaceEvents.data.items.map((e) => (
                <li key={String(e.id)}>
                  {dateTime(e.at)} · <strong>{e.name}</strong> {t(`ifEvent_${e.kind}` as TextKey)}
                  {e.previous !== null ? ` (${e.kind === 'renamed' ? t('wasNamed') : t('wasIfIndex')} ${e.previous})` : ''}
                </li>
              ))}
            </ul>
          )}
        </>
      )}

      {neighbours.data && neighbours.data.length > 0 && (
        <>
          <h2>{t('neighbours')}</h2>
          <table className="neighbours">
            <thead>
              <tr>
                <th scope="col">{t('localPort')}</th>
                <th scope="col">{t('neighbour')}</th>
                <th scope="col">{t('neighbourPort')}</th>
                <th scope="col">{t('address')}</th>
                <th scope="col">{t('inInventory')}</th>
              </tr>
            </thead>
            <tbody>
              {neighbours.data.map((n) => (
                <tr key={String(n.id)} data-port={n.localPort ?? n.localPortNum}>
                  <td>{n.localPort ?? n.localPortNum}</td>
                  <td>
                    {n.sysName ?? ''} <span className="meta">{n.chassisId ?? ''}</span>
                  </td>
                  <td>
                    {n.portId ?? ''} {n.portDescr && <span className="meta">{n.portDescr}</span>}
                  </td>
                  <td>{n.managementAddress ?? ''}</td>
                  <td>
                    {n.match ? (
                      <>
                        <Link to={`/devices/${n.match.deviceId}`}>{n.match.name ?? n.match.deviceId}</Link> <span className="meta">({t(`matchBy_${n.match.by}` as TextKey)})</span>
                      </>
                    ) : (
                      <span className="meta">{t('notRegistered')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      {interfaces.data && interfaces.data.items.some((i) => i.monitored || linkOn.has(i.ifIndex)) && (
        <>
          <h2>{t('traffic24h')}</h2>
          <p className="meta">{t('trafficLegend')}</p>
          {interfaces.data.items
            .filter((i) => i.monitored || linkOn.has(i.ifIndex))
            .slice(0, 8)
            .map((i) => (
              <TrafficChart key={i.id} deviceId={id!} interfaceId={i.id} name={i.name} contractMbps={linkOn.get(i.ifIndex)?.bandwidthMbps ?? null} />
            ))}
        </>
      )}

      <h2>{t('outagesLast30')}</h2>
      {/* A device nobody polls has no timeline: green would say it was up. */}
      {profile.data ? outages.data && <Timeline outages={outages.data.items} now={Date.now()} /> : <p className="meta">{t('noTimeline')}</p>}
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
                <td>
                  {t(`cause_${o.cause}` as TextKey)}
                  {o.ifIndex !== null ? `: ${interfaceNames.get(o.ifIndex) ?? `ifIndex ${o.ifIndex}`}` : ''}
                </td>
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
