import { api, ApiProblem, dataOf } from '../api';
import type { RecordAccess } from './EditPanel';

/** The records edited in place: every one read with its version and written back with If-Match. */
type RecordPath = '/api/v1/devices/{id}' | '/api/v1/agencies/{id}' | '/api/v1/lans/{id}' | '/api/v1/wan-links/{id}' | '/api/v1/administrative-units/{id}';
const etagOf = (r: { response: Response }) => r.response.headers.get('ETag') ?? '';
export const accessTo =
  (path: RecordPath) =>
  (id: string): RecordAccess => {
    // The paths take the same parameters; the client's per-path types do not unite.
    const client = api as unknown as {
      GET: (p: string, o: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      PATCH: (p: string, o: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      DELETE: (p: string, o: object) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
    };
    const at = (etag?: string) => ({ path: { id }, ...(etag ? { header: { 'If-Match': etag } } : {}) });
    return {
      load: async () => {
        const r = await client.GET(path, { params: at() });
        return { record: dataOf(r as never) as Record<string, unknown>, etag: etagOf(r) };
      },
      patch: async (body, etag) => dataOf((await client.PATCH(path, { params: at(etag), body })) as never),
      remove: async (etag) => {
        const r = await client.DELETE(path, { params: at(etag) });
        if (!r.response.ok) throw new ApiProblem(r.response.status, r.error as never);
      },
    };
  };
