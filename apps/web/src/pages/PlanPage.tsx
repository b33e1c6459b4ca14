import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, Navigate, useParams, useSearchParams } from 'react-router';
import { api, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';

type Coverage = Awaited<ReturnType<typeof loadCoverage>>;
type Target = Coverage['targets'][number];

/** The whole plan at once (every target of every year, without the lists of units): a year is then a filter. */
async function loadCoverage(planId: string, asOf?: string) {
  return dataOf(await api.GET('/api/v1/plans/{id}/coverage', { params: { path: { id: planId }, query: { missingLimit: 0, asOf } } }));
}

/** dd/mm/yyyy (as offices write a day) to YYYY-MM-DD, or null. */
function isoDay(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : null;
}

/** A small line of the indicator's value at each year of the plan up to this one, against this year's target. */
function Sparkline({ target, series }: { target: Target; series: Array<{ date: string; value: number }> }) {
  const points = series;
  if (points.length < 2) return <span aria-hidden="true">—</span>;
  const w = 80;
  const h = 24;
  const x = (i: number) => (i / (points.length - 1)) * (w - 4) + 2;
  const y = (v: number) => h - 2 - (v / 100) * (h - 4);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={points.map((p) => `${p.date.slice(0, 4)}: ${p.value}%`).join(', ')}>
      <line x1="0" x2={w} y1={y(target.target)} y2={y(target.target)} className="spark-target" />
      <path d={line} className="spark-line" />
    </svg>
  );
}

/** The plan's frozen reports, and (for planners) freezing this year's figures into a new one. */
function Reports({ planId, year, canWrite }: { planId: string; year: number; canWrite: boolean }) {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const reports = useQuery({ queryKey: ['reports', planId], queryFn: async () => dataOf(await api.GET('/api/v1/plans/{id}/reports', { params: { path: { id: planId }, query: { limit: 100 } } })) });
  const freeze = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/plans/{id}/reports', { params: { path: { id: planId } }, body: { year, title: `${t('reportOf')} ${year}` } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['reports', planId] }),
  });
  const items = (reports.data?.items ?? []) as Array<{ id: string; title: string | null; computedAt: string; createdBy: string }>;
  return (
    <>
      <h2>{t('reports')}</h2>
      {canWrite && (
        <p>
          <button type="button" onClick={() => freeze.mutate()} disabled={freeze.isPending}>
            {t('freeze')} {year}
          </button>{' '}
          {freeze.error && <span role="alert" className="error">{freeze.error.message}</span>}
        </p>
      )}
      {items.length === 0 ? (
        <p className="meta">{t('noReports')}</p>
      ) : (
        <table className="reports">
          <thead>
            <tr>
              <th scope="col">{t('reportTitle')}</th>
              <th scope="col">{t('computedAt')}</th>
              <th scope="col">{t('who')}</th>
              <th scope="col">{t('file')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <th scope="row">{r.title ?? '—'}</th>
                <td>{dateTime(r.computedAt)}</td>
                <td>{r.createdBy}</td>
                <td>
                  <a href={`/api/v1/reports/${r.id}/export?format=xlsx`} download>
                    XLSX
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** Mbit/s as offices read them. */
const mbps = (bps: number | null, num: (n: number, d?: number) => string) => (bps === null ? '—' : `${num(bps / 1e6, bps < 10e6 ? 1 : 0)} Mbit/s`);

/**
 * How much the WAN links of the plan's area are used, measured on the interfaces that carry them:
 * the busier direction's 95th percentile over the last week against each contract.
 */
function LinkUse({ unitId }: { unitId: string }) {
  const { t, num } = useI18n();
  const use = useQuery({ queryKey: ['link-use', unitId], queryFn: async () => dataOf(await api.GET('/api/v1/traffic/wan-links', { params: { query: { within: unitId, days: 7 } } })) });
  if (!use.data) return use.error ? <p role="alert">{use.error.message}</p> : null;
  const { summary, items, busyPercent, idlePercent } = use.data;
  if (summary.links === 0) return null;
  const measured = items.filter((i) => i.points > 0);
  return (
    <section aria-labelledby="link-use-title" className="link-use">
      <h2 id="link-use-title">{t('linkUse')}</h2>
      <p className="summary" data-testid="link-use-summary">
        {num(summary.links)} {t('linksInService')} · {num(summary.measured)} {t('linksMeasured')} · {num(summary.busy)} {t('linksBusy')} (≥ {busyPercent}%) · {num(summary.idle)} {t('linksIdle')} (&lt; {idlePercent}%) · {num(summary.belowContract)} {t('linksBelowContract')}
      </p>
      {measured.length === 0 ? (
        <p className="meta">{t('linkUseNone')}</p>
      ) : (
        <>
          <p className="meta">{t('linkUseHelp')}</p>
          <table className="link-use">
            <thead>
              <tr>
                <th scope="col">{t('agency')}</th>
                <th scope="col" className="num">{t('contracted')}</th>
                <th scope="col" className="num">{t('portSpeed')}</th>
                <th scope="col" className="num">{t('p95In')}</th>
                <th scope="col" className="num">{t('p95Out')}</th>
                <th scope="col">{t('utilisation')}</th>
              </tr>
            </thead>
            <tbody>
              {measured.slice(0, 10).map((i) => (
                <tr key={i.wanLinkId} data-link={i.wanLinkId}>
                  <th scope="row">{i.agencyName}</th>
                  <td className="num">{i.contractedMbps === null ? '—' : `${num(i.contractedMbps)} Mbit/s`}</td>
                  <td className="num">{i.measuredMbps === null ? '—' : `${num(i.measuredMbps)} Mbit/s`}</td>
                  <td className="num">{mbps(i.inP95Bps, num)}</td>
                  <td className="num">{mbps(i.outP95Bps, num)}</td>
                  <td>
                    {i.utilisationPercent === null ? (
                      '—'
                    ) : (
                      <span className={`use ${i.utilisationPercent >= busyPercent ? 'busy' : i.utilisationPercent < idlePercent ? 'idle' : ''}`}>
                        <span className="use-bar" style={{ width: `${Math.min(100, i.utilisationPercent)}%` }} aria-hidden="true" />
                        <span className="use-text">{num(i.utilisationPercent, 1)}%</span>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function PlanPage({ canWrite }: { canWrite: boolean }) {
  const { t, lang, num, day } = useI18n();
  const { planId } = useParams();
  const [search, setSearch] = useSearchParams();
  const plans = useQuery({ queryKey: ['plans'], queryFn: async () => dataOf(await api.GET('/api/v1/plans', { params: { query: { limit: 100 } } })) });
  const plan = plans.data?.items.find((p) => p.id === planId);
  const thisYear = new Date().getFullYear();
  // An as-of date (?asOf=2014-06-30) picks its year and counts the inventory as it stood that day.
  const asOf = search.get('asOf') ?? undefined;
  const year = (asOf ? Number(asOf.slice(0, 4)) : Number(search.get('year'))) || (plan ? Math.min(Math.max(thisYear, plan.periodFrom), plan.periodTo) : thisYear);
  const coverage = useQuery({ queryKey: asOf ? ['coverage', planId, 'asOf', asOf] : ['coverage', planId], queryFn: () => loadCoverage(planId!, asOf), enabled: !!plan });
  const [asOfText, setAsOfText] = useState(asOf ? day(asOf) : '');
  const applyAsOf = (e: FormEvent) => {
    e.preventDefault();
    const iso = isoDay(asOfText);
    setSearch(iso ? { asOf: iso } : asOfText.trim() ? { asOf: asOfText.trim() } : {});
  };

  if (plans.isPending) return <p className="loading">{t('loading')}</p>;
  if (plans.error) return <p role="alert">{t('error')}: {plans.error.message}</p>;
  if (!plans.data.items.length) return <p>{t('noPlans')}</p>;
  if (!plan) return <Navigate to={`/plans/${plans.data.items[0].id}`} replace />;

  const years = Array.from({ length: plan.periodTo - plan.periodFrom + 1 }, (_, i) => plan.periodFrom + i);
  const all = coverage.data?.targets ?? [];
  const targets = all.filter((x) => x.year === year);
  // Each indicator's values, year by year up to the one shown (the projection's basis when the plan has only this year).
  const seriesOf = (x: Target) => {
    const years = all.filter((o) => o.indicator.code === x.indicator.code && o.row === x.row && o.year <= x.year && o.value !== null).map((o) => ({ date: o.asOf, value: o.value! }));
    return years.length >= 2 ? years : (x.projection?.basis ?? years);
  };
  const counts = targets.reduce<Record<string, number>>((c, x) => ({ ...c, [x.status]: (c[x.status] ?? 0) + 1 }), {});
  const title = lang === 'en' && plan.titleEn ? plan.titleEn : plan.titleVi;

  return (
    <section aria-labelledby="plan-title">
      <h1 id="plan-title">{title}</h1>
      <p className="meta">
        {plan.documentNumber ? `${plan.documentNumber} · ` : ''}
        {coverage.data ? `${t('area')}: ${coverage.data.area.name}` : ''}
      </p>
      {plans.data.items.length > 1 && (
        <label className="inline">
          {t('plan')}{' '}
          <select value={plan.id} onChange={(e) => (window.location.pathname = `/plans/${e.target.value}`)}>
            {plans.data.items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.documentNumber ?? p.titleVi}
              </option>
            ))}
          </select>
        </label>
      )}
      <nav aria-label={t('year')} className="years">
        {years.map((y) => (
          <button key={y} type="button" aria-pressed={!asOf && y === year} onClick={() => { setAsOfText(''); setSearch({ year: String(y) }); }}>
            {y}
          </button>
        ))}
      </nav>
      <form className="asof" onSubmit={applyAsOf}>
        <label htmlFor="as-of">{t('asOfDate')}</label> <input id="as-of" placeholder="dd/mm/yyyy" value={asOfText} onChange={(e) => setAsOfText(e.target.value)} />{' '}
        <button type="submit">{t('show')}</button>
      </form>
      {coverage.isPending && <p className="loading">{t('loading')}</p>}
      {coverage.error && <p role="alert">{t('error')}: {coverage.error.message}</p>}
      {coverage.data && (
        <>
          <p className="summary" aria-live="polite">
            {t('summary')} {asOf ? `${t('asOfShort')} ${day(asOf)}` : year}: {targets.length} {t('targetsOf')} —{' '}
            {(['met', 'on_track', 'behind', 'no_data'] as const)
              .filter((s) => counts[s])
              .map((s) => `${counts[s]} ${t(s as TextKey).toLowerCase()}`)
              .join(', ')}
          </p>
          <table className="targets">
            <caption className="sr-only">
              {title} — {year}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('row')}</th>
                <th scope="col">{t('target')}</th>
                <th scope="col" className="num">
                  {t('planned')}
                </th>
                <th scope="col" className="num">
                  {t('actual')}
                </th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('gap')}</th>
                <th scope="col">{t('trend')}</th>
                <th scope="col">{t('counted')}</th>
              </tr>
            </thead>
            <tbody>
              {targets.map((x) => (
                <tr key={x.targetId} data-indicator={x.indicator.code}>
                  <td>{x.row ?? ''}</td>
                  <th scope="row" className="wording">
                    <Link to={`/plans/${plan.id}/targets/${x.indicator.code}?year=${x.year}`}>{lang === 'en' ? x.labelEn : x.wordingVi}</Link>
                    {x.explanation && <span className="explain">{x.explanation[lang]}</span>}
                  </th>
                  <td className="num">{num(x.target, Number.isInteger(x.target) ? 0 : 2)}%</td>
                  <td className="num">{x.value === null ? '—' : `${num(x.value, 2)}%`}</td>
                  <td>
                    <span className={`status status-${x.status}`}>{t(x.status as TextKey)}</span>
                  </td>
                  <td>{x.gap ? x.gap.text[lang] : ''}</td>
                  <td>
                    <Sparkline target={x} series={seriesOf(x)} />
                  </td>
                  <td>{day(x.asOf)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <LinkUse unitId={plan.administrativeUnitId} />
          <Reports planId={plan.id} year={year} canWrite={canWrite} />
        </>
      )}
    </section>
  );
}
