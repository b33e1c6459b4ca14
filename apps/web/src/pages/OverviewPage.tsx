import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';

/**
 * One indicator over every province side by side (the ministry's view; a province's or district's
 * account sees its own row): value against each province's own target, status and rank.
 */
export function OverviewPage() {
  const { t, lang, num, day } = useI18n();
  const [search, setSearch] = useSearchParams();
  const thisYear = new Date().getFullYear();
  const year = Number(search.get('year')) || thisYear;
  // The year as typed: asked once it has four digits (not for "20" on the way to "2014").
  const [yearText, setYearText] = useState(String(year));
  const indicators = useQuery({
    queryKey: ['indicators'],
    queryFn: async () => dataOf(await api.GET('/api/v1/indicators', { params: { query: { limit: 1000 } } })).items,
    staleTime: 60_000,
  });
  const code = search.get('indicator') ?? indicators.data?.[0]?.code ?? '';
  const overview = useQuery({
    queryKey: ['overview', code, year],
    enabled: !!code,
    queryFn: async () => dataOf(await api.GET('/api/v1/coverage/overview', { params: { query: { indicator: code, year } } })),
    placeholderData: keepPreviousData,
  });
  const set = (k: string, v: string) =>
    setSearch((prev) => {
      const next = new URLSearchParams(prev);
      next.set(k, v);
      return next;
    });
  const rows = [...(overview.data?.provinces ?? [])].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.code.localeCompare(b.code));
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('overview')}</h1>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="overview-indicator">{t('indicator')}</label>
        <select id="overview-indicator" value={code} onChange={(e) => set('indicator', e.target.value)}>
            {indicators.data?.map((i) => (
              <option key={i.id} value={i.code}>
                {lang === 'en' ? i.labelEn : i.labelVi}
              </option>
            ))}
        </select>
        <label htmlFor="overview-year">{t('year')}</label>
        <input
          id="overview-year"
          type="number"
          min={1990}
          max={2100}
          value={yearText}
          onChange={(e) => {
            setYearText(e.target.value);
            if (/^\d{4}$/.test(e.target.value)) set('year', e.target.value);
          }}
        />
        {code && (
          <a className="button" href={`/api/v1/coverage/overview/export?indicator=${encodeURIComponent(code)}&year=${year}&format=xlsx`} download>
            {t('exportXlsx')}
          </a>
        )}
      </form>
      {overview.error && <p role="alert">{t('error')}: {overview.error.message}</p>}
      {overview.data && (
        <>
          <p className="meta">
            {t('counted')} {day(overview.data.asOf)} · {t('provinces')}: {num(overview.data.provinces.length)}
          </p>
          <table className="overview" aria-busy={overview.isFetching}>
            <thead>
              <tr>
                <th scope="col" className="num">{t('rank')}</th>
                <th scope="col">{t('province')}</th>
                <th scope="col" className="num">{t('actual')}</th>
                <th scope="col">{t('share')}</th>
                <th scope="col" className="num">{t('target')}</th>
                <th scope="col">{t('status')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} data-code={p.code}>
                  <td className="num">{p.rank ?? '—'}</td>
                  <th scope="row">{p.name}</th>
                  <td className="num">
                    {p.value === null ? '—' : `${num(p.value, 2)}%`}
                    {p.denominator !== null && (
                      <span className="meta">
                        {' '}
                        ({num(p.numerator ?? 0)}/{num(p.denominator)})
                      </span>
                    )}
                  </td>
                  <td aria-hidden="true">
                    <span className="bar-track">
                      <span className="bar" style={{ width: `${p.value ?? 0}%` }} />
                      {p.target !== null && <span className="bar-target" style={{ left: `${p.target}%` }} />}
                    </span>
                  </td>
                  <td className="num">{p.target === null ? '—' : `${num(p.target)}%`}</td>
                  <td>{p.status ? <span className={`status status-${p.status}`}>{t(p.status as TextKey)}</span> : <span className="meta">{t('noTarget')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
