import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { dayFromText, fieldErrors, fieldMessage } from '../forms';
import { type TextKey, useI18n } from '../i18n';
import { Picker } from './Picker';

/** A field of a create form: how it is entered, and how its text becomes the value sent. */
export interface FieldSpec {
  name: string;
  label: TextKey;
  kind: 'text' | 'number' | 'day' | 'select' | 'agency' | 'unit';
  options?: Array<{ value: string; label: TextKey }>;
}

/**
 * A record's create form from its fields: the values typed as offices type them (days as
 * dd/mm/yyyy, numbers with a comma), the server's field errors beside each field.
 */
export function CreateForm({
  title,
  fields,
  submit,
  invalidate,
  idPrefix = 'create',
  savedLabel,
}: {
  title: TextKey;
  fields: FieldSpec[];
  submit: (body: Record<string, unknown>) => Promise<unknown>;
  invalidate: string;
  /** Ids of the inputs and their errors: `<prefix>-<field>`. */
  idPrefix?: string;
  /** What the confirmation says of the record saved (its name or serial number). */
  savedLabel?: (saved: unknown) => string;
}) {
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
        body[f.name] = f.kind === 'number' ? Number(v.replace(',', '.')) : f.kind === 'day' ? dayFromText(v) : v;
      }
      return submit(body);
    },
    onSuccess: () => {
      setValues(blank());
      setFormKey((k) => k + 1);
      void client.invalidateQueries({ queryKey: [invalidate] });
    },
  });
  const errors = fieldErrors(save.error);
  // The values set by the pickers, kept stable so a picker's effect does not run on every render.
  const setters = useMemo(() => Object.fromEntries(fields.map((f) => [f.name, (v: string) => setValues((old) => (old[f.name] === v ? old : { ...old, [f.name]: v }))])), [fields]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const id = (name: string) => `${idPrefix}-${name}`;
  return (
    <form className="register" onSubmit={onSubmit} aria-labelledby={`${idPrefix}-title`} key={formKey}>
      <h2 id={`${idPrefix}-title`}>{t(title)}</h2>
      {fields.map((f) => {
        const err = fieldMessage(f.kind, values[f.name], errors[f.name], t);
        const describedBy = err ? `${id(f.name)}-error` : undefined;
        const set = setters[f.name];
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
      {save.error && !Object.keys(errors).some((k) => fields.some((f) => f.name === k)) && (
        <p role="alert" className="error">
          {save.error.message}
        </p>
      )}
      {save.isSuccess && (
        <p role="status" className="ok">
          {savedLabel ? savedLabel(save.data) : t('saved')}
        </p>
      )}
      <button type="submit" disabled={save.isPending}>
        {t('save')}
      </button>
    </form>
  );
}
