import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';

const STATES = ['up', 'down', 'refused', 'unresolved', 'unknown'] as const;

export function FleetPage() {
  const { t, num, dateTime } = useI18n();
  // Live without reloading: asked again every 10 seconds while the page is open.
  const fleet = useQuery({ queryKey: ['fleet'], queryFn: async () => dataOf(await api.GET('/api/v1/poller/state')), refetchInterval: 10_000, staleTime: 0 });
  const links = useQuery({ queryKey: ['neighbour-links'], queryFn: async () => dataOf(await api.GET('/api/v1/neighbour-links')).items, refetchInterval: 60_000 });
  if (fleet.isPending) return <p className="loading">{t('loading')}</p>;
  if (fleet.error) return <p role="alert">{t('error')}: {fleet.error.message}</p>;
  const f = fleet.data;
  const outages = Object.entries(f.openOutages);
  return (
    <section aria-labelledby="fleet-title">
      <h1 id="fleet-title">{t('fleet')}</h1>
      <p className="meta" aria-live="polite">
        {t('refreshed')} {dateTime(new Date(fleet.dataUpdatedAt).toISOString())} — {t('refreshEvery')}
      </p>
      <ul className="cards" aria-label={t('summary')}>
        {STATES.map((s) => (
          <li key={s} className={`card state-${s}`} data-state={s}>
            <span className="count">{num(f.devices[s])}</span>
            <span>{t(s as TextKey)}</span>
          </li>
        ))}
        <li className="card" data-state="outages">
          <span className="count">{num(outages.reduce((n, [, c]) => n + c, 0))}</span>
          <span>{t('openOutages')}</span>
        </li>
      </ul>
      <h2>{t('devicesDown')}</h2>
      {f.down.length === 0 ? (
        <p>{t('noneDown')}</p>
      ) : (
        <table className="down">
          <thead>
            <tr>
              <th scope="col">{t('device')}</th>
              <th scope="col">{t('address')}</th>
              <th scope="col">{t('since')}</th>
              <th scope="col">{t('reason')}</th>
            </tr>
          </thead>
          <tbody>
            {f.down.map((d) => (
              <tr key={d.deviceId} data-device={d.deviceId}>
                <th scope="row">
                  <Link to={`/devices/${d.deviceId}`}>{d.name ?? ([d.model, d.serialNumber].filter(Boolean).join(' ') || d.kind)}</Link>
                </th>
                <td>
                  {d.managementAddress}:{d.port}
                </td>
                <td>{dateTime(d.since)}</td>
                <td title={d.lastFailureMessage ?? undefined}>{d.lastFailure ? t(`failure_${d.lastFailure}` as TextKey) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {links.data && links.data.length > 0 && (
        <>
          <h2>{t('proposedLinks')}</h2>
          <p className="meta">{t('proposedLinksHelp')}</p>
          <table className="proposed-links">
            <thead>
              <tr>
                <th scope="col">{t('device')}</th>
                <th scope="col">{t('localPort')}</th>
                <th scope="col">{t('device')}</th>
                <th scope="col">{t('localPort')}</th>
                <th scope="col">{t('heardBy')}</th>
              </tr>
            </thead>
            <tbody>
              {links.data.map((l) => (
                <tr key={`${l.a.deviceId}|${l.a.port}|${l.b.deviceId}|${l.b.port}`}>
                  <td>
                    <Link to={`/devices/${l.a.deviceId}`}>{l.a.name ?? l.a.deviceId}</Link>
                  </td>
                  <td>{l.a.port ?? ''}</td>
                  <td>
                    <Link to={`/devices/${l.b.deviceId}`}>{l.b.name ?? l.b.deviceId}</Link>
                  </td>
                  <td>{l.b.port ?? ''}</td>
                  <td>{t(l.heardBy === 'both' ? 'heardByBoth' : 'heardByOne')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
