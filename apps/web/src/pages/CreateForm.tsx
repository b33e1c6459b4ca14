import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, ApiProblem, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';

/** A field of a create form: how it is entered, and how its text becomes the value sent. */
export interface FieldSpec {
  name: string;
  label: TextKey;
  kind: 'text' | 'number' | 'day' | 'select' | 'agency' | 'unit';
  options?: Array<{ value: string; label: TextKey }>;
}

/** dd/mm/yyyy to YYYY-MM-DD (other text goes as typed, for the API to judge). */
function isoDay(text: string): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : text.trim();
}

/** A text input with suggestions from a list the API searches; the chosen option's id is the value. */
function Picker({ id, kind, onPick, invalid, describedBy }: { id: string; kind: 'agency' | 'unit'; onPick: (id: string) => void; invalid: boolean; describedBy?: string }) {
  const [text, setText] = useState('');
  const q = text.replace(/\s*\([^)]*\)\s*$/, '').trim() || undefined;
  const found = useQuery({
    queryKey: ['pick', kind, q],
    queryFn: async () =>
      kind === 'agency'
        ? (dataOf(await api.GET('/api/v1/agencies', { params: { query: { q, limit: 20, sort: 'name' } } })).items.map((a) => ({ id: a.id, label: `${a.name} (${a.code ?? ''})` })))
        : (dataOf(await api.GET('/api/v1/administrative-units', { params: { query: { q, limit: 20 } } })).items.map((u) => ({ id: u.id, label: `${u.name} (${u.code})` }))),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <input
        id={id}
        list={`${id}-options`}
        value={text}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          setText(e.target.value);
          onPick(found.data?.find((o) => o.label === e.target.value)?.id ?? '');
        }}
      />
      <datalist id={`${id}-options`}>
        {found.data?.map((o) => (
          <option key={o.id} value={o.label} />
        ))}
      </datalist>
    </>
  );
}

/**
 * A record's create form from its fields: the values typed as offices type them (days as
 * dd/mm/yyyy, numbers with a comma), the server's field errors beside each field.
 */
export function CreateForm({ title, fields, submit, invalidate }: { title: TextKey; fields: FieldSpec[]; submit: (body: Record<string, unknown>) => Promise<unknown>; invalidate: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const blank = () => Object.fromEntries(fields.map((f) => [f.name, f.kind === 'select' ? (f.options?.[0]?.value ?? '') : '']));
  const [values, setValues] = useState<Record<string, string>>(blank);
  const [formKey, setFormKey] = useState(0);
  const save = useMutation({
    mutationFn: async () => {
      const body: Record<string, unknown> = {};
      for (const f of fields) {
        const v = values[f.name];
        if (v === '') continue;
        body[f.name] = f.kind === 'number' ? Number(v.replace(',', '.')) : f.kind === 'day' ? isoDay(v) : v;
      }
      return submit(body);
    },
    onSuccess: () => {
      setValues(blank());
      setFormKey((k) => k + 1);
      void client.invalidateQueries({ queryKey: [invalidate] });
    },
  });
  const errors: Record<string, string> = {};
  if (save.error instanceof ApiProblem) for (const e of save.error.problem?.errors ?? []) errors[e.field] ??= e.message;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const id = (name: string) => `create-${name}`;
  return (
    <form className="register" onSubmit={onSubmit} aria-labelledby="create-title" key={formKey}>
      <h2 id="create-title">{t(title)}</h2>
      {fields.map((f) => {
        const err = errors[f.name];
        const describedBy = err ? `${id(f.name)}-error` : undefined;
        const set = (v: string) => setValues((old) => ({ ...old, [f.name]: v }));
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id(f.name)}>{t(f.label)}</label>
            {f.kind === 'select' ? (
              <select id={id(f.name)} value={values[f.name]} onChange={(e) => set(e.target.value)}>
                {f.options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {t(o.label)}
                  </option>
                ))}
              </select>
            ) : f.kind === 'agency' || f.kind === 'unit' ? (
              <Picker id={id(f.name)} kind={f.kind} onPick={set} invalid={!!err} describedBy={describedBy} />
            ) : (
              <input
                id={id(f.name)}
                inputMode={f.kind === 'number' ? 'decimal' : undefined}
                placeholder={f.kind === 'day' ? 'dd/mm/yyyy' : undefined}
                value={values[f.name]}
                onChange={(e) => set(e.target.value)}
                aria-invalid={err ? true : undefined}
                aria-describedby={describedBy}
              />
            )}
            {err && (
              <span id={describedBy} className="error">
                {err}
              </span>
            )}
          </div>
        );
      })}
      {save.error && !Object.keys(errors).length && (
        <p role="alert" className="error">
          {save.error.message}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="ok">
          {t('saved')}
        </p>
      )}
      <button type="submit" disabled={save.isPending}>
        {t('save')}
      </button>
    </form>
  );
}
