import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiProblem } from '../api';
import { dayFromText, fieldErrors, fieldMessage } from '../forms';
import { type TextKey, useI18n } from '../i18n';
import type { FieldSpec } from './CreateForm';

export interface RecordAccess {
  load: () => Promise<{ record: Record<string, unknown>; etag: string }>;
  patch: (body: Record<string, unknown>, etag: string) => Promise<unknown>;
  remove: (etag: string) => Promise<void>;
}

/**
 * Edits a record in place: the fields as offices type them, only what changed is sent, with the
 * version read (If-Match: a change made meanwhile by someone else is refused, not overwritten);
 * deleting asks for a confirmation first.
 */
export function EditPanel({ id, fields, access, invalidate, onClose }: { id: string; fields: FieldSpec[]; access: RecordAccess; invalidate: string; onClose: () => void }) {
  const { t, day } = useI18n();
  const client = useQueryClient();
  const current = useQuery({ queryKey: [invalidate, 'one', id], queryFn: access.load, staleTime: 0 });
  // Kept here: the form below starts afresh from each new version read, the confirmation stays.
  const [saved, setSaved] = useState(false);
  if (current.isPending) return <p className="loading">{t('loading')}</p>;
  if (current.error) return <p role="alert">{current.error.message}</p>;
  const text = (f: FieldSpec) => {
    const v = current.data.record[f.name];
    if (v === null || v === undefined) return '';
    return f.kind === 'day' ? day(String(v)) : String(v);
  };
  return (
    <Form
      key={current.data.etag}
      fields={fields.filter((f) => f.kind !== 'agency' && f.kind !== 'unit')}
      initial={Object.fromEntries(fields.map((f) => [f.name, text(f)]))}
      save={async (values, initial) => {
        const patch: Record<string, unknown> = {};
        for (const f of fields) {
          if (values[f.name] === undefined || values[f.name] === initial[f.name]) continue;
          const v = values[f.name];
          patch[f.name] = f.kind === 'day' ? dayFromText(v) || null : f.kind === 'number' ? (v.trim() ? Number(v.replace(',', '.')) : null) : f.kind === 'select' ? v : v.trim() || null;
        }
        await access.patch(patch, current.data.etag);
        setSaved(true);
        void client.invalidateQueries({ queryKey: [invalidate] });
      }}
      saved={saved}
      onEdit={() => setSaved(false)}
      remove={async () => {
        await access.remove(current.data.etag);
        void client.invalidateQueries({ queryKey: [invalidate] });
        onClose();
      }}
      onClose={onClose}
    />
  );
}

function Form({
  fields,
  initial,
  save,
  remove,
  onClose,
  saved,
  onEdit,
}: {
  fields: FieldSpec[];
  initial: Record<string, string>;
  save: (values: Record<string, string>, initial: Record<string, string>) => Promise<void>;
  remove: () => Promise<void>;
  onClose: () => void;
  saved: boolean;
  onEdit: () => void;
}) {
  const { t } = useI18n();
  const [values, setValues] = useState(initial);
  const [confirming, setConfirming] = useState(false);
  const saving = useMutation({ mutationFn: () => save(values, initial) });
  const removing = useMutation({ mutationFn: remove });
  const errors = fieldErrors(saving.error);
  const stale = [saving.error, removing.error].some((e) => e instanceof ApiProblem && e.status === 412);
  const other = [saving.error, removing.error].find((e) => e && !(e instanceof ApiProblem && (e.status === 412 || e.problem?.errors?.length)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    saving.mutate();
  };
  const id = (name: string) => `edit-${name}`;
  return (
    <form className="register" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">{t('editRecord')}</h2>
      {fields.map((f) => {
        const err = fieldMessage(f.kind, values[f.name], errors[f.name], t);
        const describedBy = err ? `${id(f.name)}-error` : undefined;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id(f.name)}>{t(f.label)}</label>
            {f.kind === 'select' ? (
              <select id={id(f.name)} value={values[f.name]} onChange={(e) => { onEdit(); setValues({ ...values, [f.name]: e.target.value }); }}>
                {f.options?.map((o) => (
                  <option key={o.value} value={o.value}>
                    {t(o.label as TextKey)}
                  </option>
                ))}
              </select>
            ) : (
              <input id={id(f.name)} value={values[f.name]} placeholder={f.kind === 'day' ? 'dd/mm/yyyy' : undefined} onChange={(e) => { onEdit(); setValues({ ...values, [f.name]: e.target.value }); }} aria-invalid={err ? true : undefined} aria-describedby={describedBy} />
            )}
            {err && (
              <span id={describedBy} className="error">
                {err}
              </span>
            )}
          </div>
        );
      })}
      {stale && <p role="alert" className="error">{t('staleRecord')}</p>}
      {other && <p role="alert" className="error">{other.message}</p>}
      {saved && <p role="status" className="ok">{t('saved')}</p>}
      <p>
        <button type="submit" disabled={saving.isPending}>{t('save')}</button>{' '}
        {!confirming ? (
          <button type="button" className="danger" onClick={() => setConfirming(true)}>{t('delete')}</button>
        ) : (
          <span role="group" aria-label={t('confirmDeleteRecord')} className="confirm">
            {t('confirmDeleteRecord')}{' '}
            <button type="button" className="danger" onClick={() => removing.mutate()} disabled={removing.isPending}>{t('deleteForGood')}</button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>{t('cancel')}</button>
          </span>
        )}{' '}
        <button type="button" onClick={onClose}>{t('close')}</button>
      </p>
    </form>
  );
}
