import { ApiProblem } from './api';
import type { TextKey } from './i18n';

/** A day as offices type it (dd/mm/yyyy) as YYYY-MM-DD; other text as typed, for the API to judge. */
export function dayFromText(text: string): string {
  const t = text.trim();
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : t;
}

/** The day typed (dd/mm/yyyy or YYYY-MM-DD) as YYYY-MM-DD when the calendar has it (not 31/02); null otherwise. */
export function realDay(text: string): string | null {
  const iso = dayFromText(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? iso : null;
}

/** The API's first message for each field of a refused write, for a form to show beside the field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ApiProblem) for (const e of err.problem?.errors ?? []) out[e.field] ??= e.message;
  return out;
}

/**
 * What a form says beside a field the server refused: the server's message, except where the
 * server's words are not the reader's — a picker left unchosen ("agencyId must be a UUID") and a
 * day typed as dd/mm/yyyy that the calendar does not have ("must be a real date YYYY-MM-DD").
 */
export function fieldMessage(kind: string, value: string, serverMessage: string | undefined, t: (key: TextKey) => string): string | undefined {
  if (!serverMessage) return undefined;
  if ((kind === 'agency' || kind === 'unit') && !value) return t('pickFromList');
  if (kind === 'day' && value.trim() && !realDay(value)) return t('notADay');
  return serverMessage;
}
