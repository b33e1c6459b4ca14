import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { realDay } from '../forms';
import { type TextKey, useI18n } from '../i18n';
import { Picker } from './Picker';

/** One of a list's API filters, as the toolbar offers it. */
export interface FilterSpec {
  /** The API's query parameter, and the address's. */
  name: string;
  label: TextKey;
  kind: 'select' | 'unit' | 'agency' | 'day' | 'boolean' | 'text';
  options?: Array<{ value: string; label: TextKey }>;
  /** The API takes a list of values (`?kind=router,switch`). */
  many?: boolean;
}

export const PAGE = 50;

/**
 * A list's search, filters, sort and page, kept in the page's address: a filtered list can be
 * bookmarked or sent to a colleague, and Back returns to the previous page of it.
 */
export function useListParams(filters: FilterSpec[], defaultSort: string) {
  const [search, setSearch] = useSearchParams();
  const q = search.get('q') ?? '';
  const sort = search.get('sort') ?? defaultSort;
  const offset = Math.max(0, Math.floor(Number(search.get('from'))) || 0);
  const values: Record<string, string> = Object.fromEntries(filters.map((f) => [f.name, search.get(f.name) ?? '']));
  // `set` keeps one identity (the pickers' effects depend on it), reading the address through refs.
  const latest = useRef({ search, setSearch });
  latest.current = { search, setSearch };
  const set = useCallback((changes: Record<string, string>, how: { page?: boolean } = {}) => {
    const prev = latest.current.search;
    // Nothing changed (a picker saying again what it holds): no navigation, page and all kept.
    if (Object.entries(changes).every(([k, v]) => (prev.get(k) ?? '') === v)) return;
    const next = new URLSearchParams(prev);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    // Any change but the page's starts again at the first page.
    if (!how.page) next.delete('from');
    // Typing and filtering replace the entry; a page change is a step Back can undo.
    latest.current.setSearch(next, { replace: !how.page });
  }, []);
  const apiQuery: Record<string, unknown> = { q: q || undefined, sort, offset, limit: PAGE };
  for (const f of filters) {
    const v = values[f.name];
    if (v) apiQuery[f.name] = f.many ? [v] : f.kind === 'boolean' ? v === 'true' : v;
  }
  return { q, sort, offset, values, set, apiQuery, filtered: filters.some((f) => values[f.name]) };
}

/** A day filter: typed as dd/mm/yyyy, applied once it reads as a date. */
function DayFilter({ id, value, onValue }: { id: string; value: string; onValue: (iso: string) => void }) {
  const { t, day } = useI18n();
  const [text, setText] = useState(value ? day(value) : '');
  const unreadable = text.trim() !== '' && !realDay(text);
  return (
    <>
      <input
        id={id}
        placeholder="dd/mm/yyyy"
        size={10}
        value={text}
        aria-invalid={unreadable || undefined}
        aria-describedby={unreadable ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          // Applied once it is a day of the calendar; until then the list stays as it was.
          const next = realDay(e.target.value);
          if (e.target.value.trim() === '') onValue('');
          else if (next) onValue(next);
        }}
      />
      {unreadable && (
        <span id={`${id}-error`} className="error">
          {t('notADay')}
        </span>
      )}
    </>
  );
}

/** The list's toolbar: the search box and the filters, each a labelled control. */
export function FilterBar({ idPrefix, filters, params }: { idPrefix: string; filters: FilterSpec[]; params: ReturnType<typeof useListParams> }) {
  const { t } = useI18n();
  const { q, values, set, filtered } = params;
  // Cleared, the controls are remounted (their own text goes with them) once the address is clear:
  // remounted before, a picker would show, and so choose again, the area just cleared.
  const [generation, setGeneration] = useState(0);
  const [clearing, setClearing] = useState(false);
  useEffect(() => {
    if (clearing && !filtered && !q) {
      setClearing(false);
      setGeneration((g) => g + 1);
    }
  }, [clearing, filtered, q]);
  const id = (name: string) => `${idPrefix}-filter-${name}`;
  // One handler per filter for the page's life: a picker says its choice again whenever its handler
  // changes, which, just after a clear, would choose the cleared area again.
  const names = filters.map((f) => f.name).join(',');
  const pickers = useMemo(() => Object.fromEntries(names.split(',').map((name) => [name, (v: string) => set({ [name]: v })])), [names, set]);
  return (
    <div className="toolbar" role="search" key={generation}>
      <label>
        {t('search')} <input type="search" value={q} onChange={(e) => set({ q: e.target.value })} />
      </label>
      {filters.map((f) => (
        <span className="filter" key={f.name}>
          <label htmlFor={id(f.name)}>{t(f.label)}</label>{' '}
          {f.kind === 'select' || f.kind === 'boolean' ? (
            <select id={id(f.name)} value={values[f.name]} onChange={(e) => set({ [f.name]: e.target.value })}>
              <option value="">{t('any')}</option>
              {(f.kind === 'boolean' ? [{ value: 'true', label: 'yes' as TextKey }, { value: 'false', label: 'no' as TextKey }] : (f.options ?? [])).map((o) => (
                <option key={o.value} value={o.value}>
                  {t(o.label)}
                </option>
              ))}
            </select>
          ) : f.kind === 'unit' || f.kind === 'agency' ? (
            <Picker id={id(f.name)} kind={f.kind} initial={values[f.name] || undefined} onPick={pickers[f.name]} invalid={false} />
          ) : f.kind === 'day' ? (
            <DayFilter id={id(f.name)} value={values[f.name]} onValue={(v) => set({ [f.name]: v })} />
          ) : (
            <input id={id(f.name)} value={values[f.name]} onChange={(e) => set({ [f.name]: e.target.value })} />
          )}
        </span>
      ))}
      {(filtered || q) && (
        <button
          type="button"
          onClick={() => {
            set(Object.fromEntries([['q', ''], ...filters.map((f) => [f.name, ''])]));
            setClearing(true);
          }}
        >
          {t('clearFilters')}
        </button>
      )}
    </div>
  );
}
