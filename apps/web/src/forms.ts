import { ApiProblem } from './api';

/** A day as offices type it (dd/mm/yyyy) as YYYY-MM-DD; other text as typed, for the API to judge. */
export function dayFromText(text: string): string {
  const t = text.trim();
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  return m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : t;
}

/** The API's first message for each field of a refused write, for a form to show beside the field. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ApiProblem) for (const e of err.problem?.errors ?? []) out[e.field] ??= e.message;
  return out;
}
