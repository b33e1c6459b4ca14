import createClient from 'openapi-fetch';
import type { components, paths } from '../generated/schema';
import { currentLang } from './i18n';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/** The session's CSRF token, kept in memory only (never in localStorage): sent on every write. */
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * The API client, typed from the API's own OpenAPI document (generated at build time): a route,
 * a parameter or a field the API does not have is a compile error. The session cookie goes along
 * (same origin); writes carry the CSRF token; answers follow the console's language.
 */
export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });
api.use({
  onRequest({ request }) {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    request.headers.set('Accept-Language', currentLang());
    return request;
  },
});

/** An answer that is not 2xx, carrying the API's problem. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? `HTTP ${status}`);
  }
}

/** The data of an answer, or throws its problem (for the query library to show). */
export function dataOf<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.data === undefined || !r.response.ok) throw new ApiProblem(r.response.status, r.error as Problem | undefined);
  return r.data;
}
