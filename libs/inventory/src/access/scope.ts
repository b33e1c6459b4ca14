import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { likeEscape } from '../shared/fold';
import type { Scope } from './access';

/**
 * Where a kind of record sits in the hierarchy:
 * - `unit`: an administrative unit itself (its `path`);
 * - `agency`: an agency (its unit, and its place among agencies);
 * - `agency-owned`: a record with an `agency_id` (equipment, staffing, SNMP profiles).
 */
export type PlaceKind = 'unit' | 'agency' | 'agency-owned';

/**
 * A record's place: its unit's path, the agencies an agency scope matches it by, and the places
 * of other records it refers to that must lie within the scope too (an agency's parent).
 */
export interface Place {
  path: string;
  agencyIds: string[];
  refs?: Array<{ field: string; path: string }>;
}

/**
 * Narrows a query to what the scope can see. Units are visible within the scope and above it
 * (a district's users see their province); agencies and what they own, only within it.
 */
export function whereVisible<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, scope: Scope, kind: PlaceKind, alias: string): SelectQueryBuilder<T> {
  if (scope.kind === 'country') return qb;
  const within = `${likeEscape(scope.path)}%`;
  if (kind === 'unit') {
    return qb.andWhere(`(${alias}.path LIKE :scope_within ESCAPE '\\' OR :scope_path LIKE ${alias}.path || '%')`, { scope_within: within, scope_path: scope.path });
  }
  return whereWithin(qb, scope, kind, alias);
}

/** Narrows a query to the records the scope may change: within it, never above it. */
export function whereWithin<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, scope: Scope, kind: PlaceKind, alias: string): SelectQueryBuilder<T> {
  if (scope.kind === 'country') return qb;
  const within = { scope_within: `${likeEscape(scope.path)}%` };
  if (kind === 'unit') return scope.kind === 'agency' ? qb.andWhere('false') : qb.andWhere(`${alias}.path LIKE :scope_within ESCAPE '\\'`, within);
  const agency = kind === 'agency' ? `${alias}.id` : `${alias}.agency_id`;
  if (scope.kind === 'agency') return qb.andWhere(`${agency} = ANY(:scope_agencies)`, { scope_agencies: scope.agencyIds });
  return qb.andWhere(agencyInPath(agency, ':scope_within'), within);
}

/** SQL text for raw queries: the agency column lies within the scope (parameters appended to `params`). */
export function agencyWithinSql(scope: Scope, agencyColumn: string, params: unknown[]): string {
  if (scope.kind === 'country') return 'true';
  if (scope.kind === 'agency') {
    params.push(scope.agencyIds);
    return `${agencyColumn} = ANY($${params.length})`;
  }
  params.push(`${likeEscape(scope.path)}%`);
  return agencyInPath(agencyColumn, `$${params.length}`);
}

/** The agency column names an agency whose unit lies under a path pattern (a parameter). */
function agencyInPath(agencyColumn: string, pattern: string): string {
  return `${agencyColumn} IN (SELECT sa.id FROM agency sa JOIN administrative_unit su ON su.id = sa.administrative_unit_id WHERE su.path LIKE ${pattern} ESCAPE '\\')`;
}

/** The field that puts a record outside the scope (`fallback` for the record itself), or null when it lies within. */
export function outsideField(scope: Scope, place: Place, fallback: string): string | null {
  if (scope.kind === 'country') return null;
  if (!place.path.startsWith(scope.path)) return fallback;
  if (scope.kind === 'agency' && !place.agencyIds.some((id) => scope.agencyIds.includes(id))) return fallback;
  return place.refs?.find((r) => !r.path.startsWith(scope.path))?.field ?? null;
}

/** The places of agencies, by id: their unit's path. */
export async function agencyPaths(ids: string[], m: EntityManager): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows: Array<{ id: string; path: string }> = await m.query(
    'SELECT a.id, u.path FROM agency a JOIN administrative_unit u ON u.id = a.administrative_unit_id WHERE a.id = ANY($1)',
    [[...new Set(ids)]],
  );
  return new Map(rows.map((r) => [r.id, r.path]));
}

/** The paths of units, by id. */
export async function unitPaths(ids: string[], m: EntityManager): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows: Array<{ id: string; path: string }> = await m.query('SELECT id, path FROM administrative_unit WHERE id = ANY($1)', [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, r.path]));
}

/**
 * The scope an API token names, resolved against the hierarchy: a unit with its path, or an
 * agency with its subordinate agencies. Null when the unit or agency no longer exists.
 */
export async function resolveScope(m: EntityManager, target: { unitId?: string | null; agencyId?: string | null }): Promise<Scope | null> {
  if (target.agencyId) {
    const rows: Array<{ id: string; name: string; path: string }> = await m.query(
      `WITH RECURSIVE sub AS (SELECT id FROM agency WHERE id = $1 UNION SELECT a.id FROM agency a JOIN sub ON a.parent_id = sub.id)
       SELECT s.id, a.name, u.path FROM sub s JOIN agency a ON a.id = s.id JOIN administrative_unit u ON u.id = a.administrative_unit_id`,
      [target.agencyId],
    );
    const root = rows.find((r) => r.id === target.agencyId);
    return root ? { kind: 'agency', agencyId: root.id, agencyIds: rows.map((r) => r.id), path: root.path, name: root.name } : null;
  }
  if (target.unitId) {
    const rows: Array<{ id: string; name: string; path: string }> = await m.query('SELECT id, name, path FROM administrative_unit WHERE id = $1', [target.unitId]);
    return rows[0] ? { kind: 'unit', unitId: rows[0].id, path: rows[0].path, name: rows[0].name } : null;
  }
  return { kind: 'country' };
}

/** Whether scope `inner` lies inside scope `outer` (a token may only hand on what it has). */
export function scopeWithin(inner: Scope, outer: Scope): boolean {
  if (outer.kind === 'country') return true;
  if (inner.kind === 'country') return false;
  if (outer.kind === 'unit') return inner.path.startsWith(outer.path);
  return inner.kind === 'agency' && outer.agencyIds.includes(inner.agencyId);
}
