import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, dataOf } from '../api';
import { fieldErrors } from '../forms';
import { Pager } from '../Pager';
import { type TextKey, useI18n } from '../i18n';

const PAGE = 50;

/**
 * One target of a plan: its value year by year against the yearly targets, the district
 * breakdown of the year as a sorted chart, and the units that do not count yet with the reasons,
 * searchable without diacritics and paged; the year's figures export to XLSX.
 */
/** A reported indicator's value for the year, entered by the province's planner with its source. */
function ReportValueForm({ code, provinceId, year }: { code: string; provinceId: string; year: number }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [value, setValue] = useState('');
  const [source, setSource] = useState('');
  const save = useMutation({
    mutationFn: async () =>
      dataOf(await api.PUT('/api/v1/indicators/{id}/reported-values', { params: { path: { id: code } }, body: { administrativeUnitId: provinceId, year, value: Number(value.replace(',', '.')), source } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['coverage'] }),
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="register" onSubmit={submit} aria-labelledby="report-value-title">
      <h2 id="report-value-title">{t('enterValue')} {year}</h2>
      <div className="field">
        <label htmlFor="rv-value">{t('valuePercent')}</label>
        <input id="rv-value" inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={errors.value ? true : undefined} aria-describedby={errors.value ? 'rv-value-error' : undefined} />
        {errors.value && <span id="rv-value-error" className="error">{errors.value}</span>}
      </div>
      <div className="field">
        <label htmlFor="rv-source">{t('source')}</label>
        <input id="rv-source" value={source} onChange={(e) => setSource(e.target.value)} aria-invalid={errors.source ? true : undefined} aria-describedby={errors.source ? 'rv-source-error' : undefined} />
        {errors.source && <span id="rv-source-error" className="error">{errors.source}</span>}
      </div>
      {save.isSuccess && <p role="status" className="ok">{t('saved')}</p>}
      <button type="submit" disabled={save.isPending}>{t('save')}</button>
    </form>
  );
}

type Breakdown = Array<{ districtId: string | null; numerator: number; denominator: number; value: number | null }>;

/** A colour for a percentage: red at 0, yellow at 50, green at 100. */
const shade = (v: number | null) => (v === null ? '#d5dbe3' : `hsl(${Math.round(v * 1.2)}, 65%, 42%)`);

/** The district breakdown on the districts' boundaries (a choropleth), when the province has them. */
function Choropleth({ provinceCode, breakdown, title }: { provinceCode: string; breakdown: Breakdown; title: string }) {
  const { t, num } = useI18n();
  const map = useQuery({
    queryKey: ['boundaries', provinceCode],
    queryFn: async () => dataOf(await api.GET('/api/v1/boundaries', { params: { query: { within: provinceCode, level: 'district', tolerance: 0.002 } } })),
    staleTime: Infinity,
  });
  const features = map.data?.features ?? [];
  if (!features.length) return null;
  const rings = (g: (typeof features)[number]['geometry']) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as number[][][][];
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) for (const poly of rings(f.geometry)) for (const ring of poly) for (const [x, y] of ring) [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
  // Equirectangular, squeezed by the cosine of the middle latitude: right for a province.
  const k = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const width = 460;
  const scale = width / ((maxX - minX) * k);
  const height = Math.ceil((maxY - minY) * scale);
  const path = (poly: number[][][]) => poly.map((ring) => ring.map(([x, y], i) => `${i ? 'L' : 'M'}${((x - minX) * k * scale).toFixed(1)},${((maxY - y) * scale).toFixed(1)}`).join('') + 'Z').join('');
  const byId = new Map(breakdown.map((b) => [b.districtId, b]));
  return (
    <figure className="map">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={`${t('map')}: ${title}`}>
        {features.map((f) => {
          const b = byId.get(f.properties.id);
          return (
            <path key={f.id} d={rings(f.geometry).map(path).join('')} fill={shade(b?.value ?? null)} className="district" data-code={f.properties.code}>
              <title>{`${f.properties.name}: ${b?.value == null ? '—' : `${num(b.value, 2)}% (${num(b.numerator)}/${num(b.denominator)})`}`}</title>
            </path>
          );
        })}
      </svg>
      <figcaption>
        <span className="legend" aria-hidden="true">
          <span style={{ background: shade(0) }} />0% <span style={{ background: shade(50) }} />50% <span style={{ background: shade(100) }} />100%
        </span>
      </figcaption>
    </figure>
  );
}

export function TargetPage({ canWrite }: { canWrite: boolean }) {
  const { t, lang, num, day } = useI18n();
  const { planId, indicator } = useParams();
  const [search, setSearch] = useSearchParams();
  const year = Number(search.get('year'));
  const [q, setQ] = useState('');
  const [page, setPage] = useState(0);
  // Every year of the plan (figures only), and this year's target; its list a page at a time.
  const plan = useQuery({
    queryKey: ['coverage', planId],
    queryFn: async () => dataOf(await api.GET('/api/v1/plans/{id}/coverage', { params: { path: { id: planId! } } })),
  });
  const detail = useQuery({
    queryKey: ['coverage', planId, year],
    queryFn: async () => dataOf(await api.GET('/api/v1/plans/{id}/coverage', { params: { path: { id: planId! }, query: { year } } })),
    enabled: !!year,
  });
  const target = detail.data?.targets.find((x) => x.indicator.code === indicator);
  const series = (plan.data?.targets ?? []).filter((x) => x.indicator.code === indicator).sort((a, b) => a.year - b.year);
  // Searched by the server, without diacritics, over the whole list.
  const lists = useQuery({
    queryKey: ['coverage', planId, target?.targetId, 'missing', q.trim(), page],
    queryFn: async () =>
      dataOf(
        await api.GET('/api/v1/plans/{id}/coverage/{targetId}/missing', {
          params: { path: { id: planId!, targetId: target!.targetId }, query: { q: q.trim() || undefined, limit: PAGE, offset: page * PAGE } },
        }),
      ),
    enabled: !!target,
    placeholderData: keepPreviousData,
  });

  if (plan.isPending || detail.isPending) return <p className="loading">{t('loading')}</p>;
  if (plan.error || detail.error) return <p role="alert">{t('error')}: {(plan.error ?? detail.error)!.message}</p>;
  if (!target) return <p role="alert">{t('noSuchTarget')} {year}.</p>;
  const wording = lang === 'en' ? target.labelEn : target.wordingVi;
  const bars = [...target.breakdown].sort((a, b) => (b.value ?? -1) - (a.value ?? -1));
  const districtName = new Map(detail.data.districts.map((d) => [d.id, d.name]));
  const shown = lists.data?.missing.items ?? [];

  return (
    <section aria-labelledby="target-title">
      <p className="crumbs">
        <Link to={`/plans/${planId}?year=${year}`}>← {t('plans')}</Link>
      </p>
      <h1 id="target-title">{wording}</h1>
      <p className="meta">
        {target.indicator.code} · {t('counted')} {day(target.asOf)} · {detail.data.area.name}
      </p>
      <nav aria-label={t('year')} className="years">
        {series.map((s) => (
          <button key={s.year} type="button" aria-pressed={s.year === year} onClick={() => { setPage(0); setSearch({ year: String(s.year) }); }}>
            {s.year}
          </button>
        ))}
      </nav>

      {target.indicator.kind === 'reported' && (
        <p className="meta">
          {target.reported ? `${t('reportedSource')}: ${target.reported.source}` : target.explanation ? target.explanation[lang] : ''}
        </p>
      )}
      {target.indicator.kind === 'reported' && canWrite && <ReportValueForm code={target.indicator.code} provinceId={detail.data.plan.province.id} year={year} />}

      <h2>{t('byYear')}</h2>
      <table className="years-table">
        <thead>
          <tr>
            <th scope="col">{t('year')}</th>
            <th scope="col" className="num">{t('planned')}</th>
            <th scope="col" className="num">{t('actual')}</th>
            <th scope="col">{t('status')}</th>
            <th scope="col">{t('gap')}</th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => (
            <tr key={s.year} aria-current={s.year === year ? 'true' : undefined}>
              <th scope="row">{s.year}</th>
              <td className="num">{num(s.target, Number.isInteger(s.target) ? 0 : 2)}%</td>
              <td className="num">{s.value === null ? '—' : `${num(s.value, 2)}%`}</td>
              <td><span className={`status status-${s.status}`}>{t(s.status as TextKey)}</span></td>
              <td>{s.gap ? s.gap.text[lang] : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {target.projection?.projectedValue != null && (
        <p className="meta">
          {t('projection')}: {num(target.projection.projectedValue, 2)}% ({t('projectionBasis')} {target.projection.basis.map((b) => `${b.date.slice(0, 4)}: ${num(b.value, 2)}%`).join(', ')})
        </p>
      )}

      <h2>{t('byDistrict')} {year}</h2>
      <div className="district-view">
        <Choropleth provinceCode={detail.data.plan.province.code} breakdown={target.breakdown} title={`${wording} — ${year}`} />
        <ol className="bars" aria-label={`${t('byDistrict')} ${year}`}>
          {bars.map((b) => (
            <li key={b.districtId ?? 'province'}>
              <span className="bar-label">{(b.districtId && districtName.get(b.districtId)) || t('underProvince')}</span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar" style={{ width: `${b.value ?? 0}%` }} />
                <span className="bar-target" style={{ left: `${target.target}%` }} />
              </span>
              <span className="num">
                {b.value === null ? '—' : `${num(b.value, 2)}%`} ({num(b.numerator)}/{num(b.denominator)})
              </span>
            </li>
          ))}
        </ol>
      </div>

      <h2 id="missing-title">
        {t('missingTitle')} ({num(target.missing.total)})
      </h2>
      <div className="toolbar">
        <label>
          {t('search')}{' '}
          <input type="search" value={q} onChange={(e) => { setQ(e.target.value); setPage(0); }} />
        </label>
        <a className="button" href={`/api/v1/plans/${planId}/coverage/export?year=${year}&format=xlsx`} download>
          {t('exportXlsx')}
        </a>
      </div>
      {lists.error && <p role="alert">{t('error')}: {lists.error.message}</p>}
      <table className="missing" aria-labelledby="missing-title" aria-busy={lists.isFetching}>
        <thead>
          <tr>
            <th scope="col">{t('district')}</th>
            <th scope="col">{t('unit')}</th>
            <th scope="col">{t('member')}</th>
            <th scope="col">{t('reason')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.id}>
              <td>{m.district ?? t('underProvince')}</td>
              <td>{m.unit}</td>
              <th scope="row">{m.name}</th>
              <td>{m.reasons.map((r) => r[lang]).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {lists.data && shown.length === 0 && <p className="meta">{t('nothingFound')}</p>}
      <Pager offset={page * PAGE} shown={shown.length} total={lists.data?.missing.total ?? 0} size={PAGE} onOffset={(o) => setPage(o / PAGE)} />
    </section>
  );
}
