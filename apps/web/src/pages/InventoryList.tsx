import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { ApiProblem } from '../api';
import { Pager } from '../Pager';
import { type TextKey, useI18n } from '../i18n';
import { type FieldSpec } from './CreateForm';
import { EditPanel, type RecordAccess } from './EditPanel';
import { InventoryNav } from './InventoryNav';
import { FilterBar, type FilterSpec, PAGE, useListParams } from './ListFilters';

export interface Column<T> {
  label: TextKey;
  cell: (row: T) => ReactNode;
  numeric?: boolean;
  /** The API's sort field: the column's header then sorts by it. */
  sort?: string;
}

interface PageOf<T> {
  items: T[];
  total: number;
}

/**
 * A list of the inventory: search without diacritics (the API's q), the API's filters, sorting by
 * a column's header, pages of 50, all kept in the page's address. The first column opens the
 * record: its page (`rowLink`) or its edit panel (`edit`).
 */
export function InventoryList<T extends { id: string }>({
  title,
  load,
  columns,
  queryKey,
  filters = [],
  defaultSort,
  form,
  edit,
  rowLink,
  rowName,
}: {
  title: TextKey;
  load: (query: Record<string, unknown>) => Promise<PageOf<T>>;
  columns: Array<Column<T>>;
  queryKey: string;
  filters?: FilterSpec[];
  defaultSort: string;
  form?: ReactNode;
  edit?: { fields: FieldSpec[]; access: (id: string) => RecordAccess };
  rowLink?: (row: T) => string;
  /** What the row is called (its serial number, code…), as `data-name`, for tests and scripts. */
  rowName?: (row: T) => string;
}) {
  const { t } = useI18n();
  const params = useListParams(filters, defaultSort);
  const [editing, setEditing] = useState<string | null>(null);
  const list = useQuery({ queryKey: [queryKey, params.apiQuery], queryFn: () => load(params.apiQuery), placeholderData: keepPreviousData });
  const desc = params.sort.startsWith('-');
  const sortField = desc ? params.sort.slice(1) : params.sort;
  const head = (c: Column<T>) => {
    if (!c.sort) return t(c.label);
    const current = sortField === c.sort;
    return (
      <button type="button" className="link sort" onClick={() => params.set({ sort: current && !desc ? `-${c.sort}` : c.sort! })}>
        {t(c.label)} <span aria-hidden="true">{current ? (desc ? '▼' : '▲') : '↕'}</span>
      </button>
    );
  };
  return (
    <section aria-labelledby="list-title">
      <InventoryNav />
      <h1 id="list-title">{t(title)}</h1>
      {editing && edit ? <EditPanel key={editing} id={editing} fields={edit.fields} access={edit.access(editing)} invalidate={queryKey} onClose={() => setEditing(null)} /> : form}
      <FilterBar idPrefix={queryKey} filters={filters} params={params} />
      {list.error && (
        <div role="alert" className="error">
          <p>
            {t('error')}: {list.error.message}
          </p>
          {/* A filter the server refused (a day that does not exist) is named with the server's reason. */}
          {list.error instanceof ApiProblem && list.error.problem?.errors?.length ? (
            <ul>
              {list.error.problem.errors.map((e, i) => (
                <li key={i}>{e.message}</li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
      {list.data && (
        <>
          <table className={`list-${queryKey}`} aria-busy={list.isFetching}>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th
                    key={c.label}
                    scope="col"
                    className={c.numeric ? 'num' : undefined}
                    aria-sort={c.sort && sortField === c.sort ? (desc ? 'descending' : 'ascending') : undefined}
                  >
                    {head(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((row) => (
                <tr key={row.id} data-name={rowName?.(row)}>
                  {columns.map((c, i) =>
                    i === 0 ? (
                      <th key={c.label} scope="row">
                        {rowLink ? (
                          <Link to={rowLink(row)}>{c.cell(row)}</Link>
                        ) : edit ? (
                          <button type="button" className="link" onClick={() => setEditing(row.id)}>
                            {c.cell(row)}
                          </button>
                        ) : (
                          c.cell(row)
                        )}
                      </th>
                    ) : (
                      <td key={c.label} className={c.numeric ? 'num' : undefined}>
                        {c.cell(row)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {list.data.items.length === 0 && <p className="meta">{t('nothingFound')}</p>}
          <Pager offset={params.offset} shown={list.data.items.length} total={list.data.total} size={PAGE} onOffset={(o) => params.set({ from: o ? String(o) : '' }, { page: true })} />
        </>
      )}
    </section>
  );
}
