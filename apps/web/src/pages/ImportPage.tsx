import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, ApiProblem, dataOf } from '../api';
import { type TextKey, useI18n } from '../i18n';

const RESOURCES = ['agencies', 'devices', 'wan-links', 'lans'] as const;
type Resource = (typeof RESOURCES)[number];

/** Seconds since `since` while `running`: large files take a while, and the page says it is working. */
function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    setSeconds(0);
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [running]);
  return seconds;
}

/** A random UUID (v4); crypto.randomUUID exists only on HTTPS or localhost, and consoles run on plain HTTP inside offices too. */
function newImportId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The server's word on how far the import has got, read twice a second while it runs. */
function useImportProgress(id: string | null, running: boolean) {
  return useQuery({
    queryKey: ['import-progress', id],
    enabled: running && id !== null,
    refetchInterval: 500,
    retry: false,
    // Before the server has read the request, it knows no such import: that is "sending".
    queryFn: async () => {
      const r = await api.GET('/api/v1/imports/{importId}', { params: { path: { importId: id! } } });
      return r.response.ok ? r.data! : null;
    },
  });
}

/**
 * Import a spreadsheet: a dry run first, whose answer lists what each row would do, or every
 * problem with its row and column; then the import itself, all or nothing.
 */
export function ImportPage() {
  const { t, lang, num } = useI18n();
  const client = useQueryClient();
  const [resource, setResource] = useState<Resource>('devices');
  const [file, setFile] = useState<File | null>(null);
  const [importId, setImportId] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const form = new FormData();
      form.append('file', file!);
      const id = newImportId();
      setImportId(id);
      return dataOf(
        await api.POST('/api/v1/{resource}/import', {
          params: { path: { resource }, query: { dryRun }, header: { 'X-Import-Id': id } },
          body: form as never,
          bodySerializer: (b: unknown) => b as FormData,
        }),
      );
    },
    onSuccess: (r) => {
      if (!r.dryRun) void client.invalidateQueries();
    },
  });
  const elapsed = useElapsed(send.isPending);
  const progress = useImportProgress(importId, send.isPending).data;
  const stage = !progress ? 'sending' : progress.phase;
  const outcome = send.data;
  const problem = send.error instanceof ApiProblem ? send.error.problem : undefined;
  const checked = outcome?.dryRun === true;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(true);
  };
  return (
    <section aria-labelledby="import-title">
      <h1 id="import-title">{t('import')}</h1>
      <p className="meta">{t('importHelp')}</p>
      <form className="register" onSubmit={submit}>
        <div className="field">
          <label htmlFor="import-resource">{t('importWhat')}</label>
          <select id="import-resource" value={resource} onChange={(e) => { setResource(e.target.value as Resource); send.reset(); }}>
            {RESOURCES.map((r) => (
              <option key={r} value={r}>
                {t(`resource_${r}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="import-file">{t('file')}</label>
          <input id="import-file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => { setFile(e.target.files?.[0] ?? null); send.reset(); }} />
        </div>
        <p>
          <button type="submit" disabled={!file || send.isPending}>
            {t('dryRun')}
          </button>{' '}
          <button type="button" disabled={!checked || send.isPending} onClick={() => send.mutate(false)}>
            {t('commitImport')}
          </button>
        </p>
        {send.isPending && (
          <p role="status" className="import-progress" data-stage={stage}>
            {stage === 'check' && progress && progress.total > 0 ? (
              <>
                <progress aria-label={t('importStage_check')} max={progress.total} value={progress.done} /> {t('importStage_check')}: {num(progress.done)}/{num(progress.total)} {t('rows')}
              </>
            ) : (
              <>
                <progress aria-label={t(`importStage_${stage}` as TextKey)} /> {t(`importStage_${stage}` as TextKey)}
              </>
            )}{' '}
            · {num(elapsed)} s
          </p>
        )}
      </form>
      {outcome && (
        <div role="status" aria-live="polite">
          <p className={outcome.dryRun ? '' : 'ok'}>
            {outcome.dryRun ? t('wouldImport') : t('imported')}: {num(outcome.created)} {t('toCreate')}, {num(outcome.updated)} {t('toUpdate')}, {num(outcome.unchanged)} {t('unchanged')} / {num(outcome.rows)} {t('rows')}
          </p>
          {outcome.plan && outcome.plan.length > 0 && (
            <table className="import-plan">
              <thead>
                <tr>
                  <th scope="col">{t('sheetRow')}</th>
                  <th scope="col">{t('action')}</th>
                  <th scope="col">{t('key')}</th>
                </tr>
              </thead>
              <tbody>
                {outcome.plan.slice(0, 200).map((p) => (
                  <tr key={p.row}>
                    <td>{p.row}</td>
                    <td>{t(`plan_${p.action}` as TextKey)}</td>
                    <td>{p.key ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
      {send.error && (
        <div role="alert">
          <p className="error">{send.error.message}</p>
          {problem?.errors && (
            <table className="import-problems" lang={lang}>
              <thead>
                <tr>
                  <th scope="col">{t('sheetRow')}</th>
                  <th scope="col">{t('column')}</th>
                  <th scope="col">{t('problem')}</th>
                </tr>
              </thead>
              <tbody>
                {problem.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.row ?? ''}</td>
                    <td>{e.column ?? e.field}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
