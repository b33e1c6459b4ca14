import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { simplify } from '@turf/simplify';
import { DataSource } from 'typeorm';
import type { Scope } from '../access/access';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import { likeEscape } from '../shared/fold';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '../shared/inventory-error';
import type { UnitLevel } from '../shared/vocabulary';

export interface Geometry {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: number[][][] | number[][][][];
}

/** Positions a whole import may carry: the 11 districts of a province are about 60,000. */
const MAX_POSITIONS = 5_000_000;

export interface BoundaryImport {
  dryRun: boolean;
  updated: number;
  unchanged: number;
  /** Codes in the file that name no current unit. */
  unknownCodes: string[];
}

/** A geometry's problems (type, shape, WGS84 ranges, closed rings), and its number of positions. */
function checkGeometry(g: unknown, field: string, problems: FieldProblem[]): number {
  const geo = g as { type?: unknown; coordinates?: unknown } | null;
  if (!geo || (geo.type !== 'Polygon' && geo.type !== 'MultiPolygon')) {
    problems.push({ field: `${field}.type`, message: 'a boundary is a GeoJSON Polygon or MultiPolygon', value: geo?.type });
    return 0;
  }
  const polygons = (geo.type === 'Polygon' ? [geo.coordinates] : geo.coordinates) as unknown;
  if (!Array.isArray(polygons) || polygons.length === 0) {
    problems.push({ field: `${field}.coordinates`, message: 'expected polygons of rings of [longitude, latitude] positions' });
    return 0;
  }
  let n = 0;
  for (const [p, polygon] of polygons.entries()) {
    if (!Array.isArray(polygon) || polygon.length === 0) {
      problems.push({ field: `${field}.coordinates[${p}]`, message: 'a polygon is a list of rings' });
      return n;
    }
    for (const [r, ring] of polygon.entries()) {
      const at = `${field}.coordinates[${p}][${r}]`;
      if (!Array.isArray(ring) || ring.length < 4) {
        problems.push({ field: at, message: 'a ring has at least 4 positions, the last equal to the first' });
        return n;
      }
      for (const pos of ring as unknown[]) {
        const [lon, lat] = Array.isArray(pos) ? (pos as unknown[]) : [];
        if (typeof lon !== 'number' || typeof lat !== 'number' || !Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) {
          problems.push({ field: at, message: 'positions are [longitude, latitude] in WGS84 degrees', value: pos });
          return n;
        }
      }
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) {
        problems.push({ field: at, message: 'a ring ends where it starts' });
        return n;
      }
      n += ring.length;
    }
  }
  return n;
}

/**
 * Reads boundaries by GSO code from a GeoJSON FeatureCollection (each feature's `properties.code`)
 * or the dvhcvn GIS format (`level1_id` and its `level2s[].level2_id`, each with `type` and
 * `coordinates`), or says what is wrong with each.
 */
export function parseBoundaries(payload: unknown): Array<{ code: string; geometry: Geometry }> {
  const problems: FieldProblem[] = [];
  const out: Array<{ code: string; geometry: Geometry }> = [];
  let positions = 0;
  const add = (code: unknown, geometry: unknown, field: string) => {
    if (typeof code !== 'string' || !/^\d{2,5}$/.test(code)) {
      problems.push({ field: `${field}.code`, message: 'each boundary names its unit by GSO code (2, 3 or 5 digits)', value: code });
      return;
    }
    positions += checkGeometry(geometry, `${field}.geometry`, problems);
    out.push({ code, geometry: geometry as Geometry });
  };
  const root = payload as { type?: unknown; features?: unknown; level2s?: unknown; level1_id?: unknown; coordinates?: unknown } | null;
  if (root?.type === 'FeatureCollection' && Array.isArray(root.features)) {
    root.features.forEach((f: { properties?: { code?: unknown; level2_id?: unknown; level3_id?: unknown }; geometry?: unknown }, i: number) =>
      add(f?.properties?.code ?? f?.properties?.level2_id ?? f?.properties?.level3_id, f?.geometry, `features[${i}]`),
    );
  } else if (root && Array.isArray(root.level2s)) {
    if (root.level1_id !== undefined && root.coordinates !== undefined) add(root.level1_id, { type: root.type, coordinates: root.coordinates }, 'level1');
    root.level2s.forEach((d: { level2_id?: unknown; type?: unknown; coordinates?: unknown }, i: number) => add(d?.level2_id, { type: d?.type, coordinates: d?.coordinates }, `level2s[${i}]`));
  } else {
    throw InventoryError.invalid('Not a boundary file', [{ field: '', message: 'expected a GeoJSON FeatureCollection (properties.code = GSO code) or the dvhcvn GIS format (level2s[])' }]);
  }
  if (positions > MAX_POSITIONS) problems.push({ field: '', message: `the file holds ${positions} positions; at most ${MAX_POSITIONS} per import (split it)` });
  if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The boundaries are not valid; nothing was imported', problems);
  return out;
}

/** Boundaries of administrative units: imported by GSO code, served simplified for maps. */
@Injectable()
export class BoundariesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** Sets the boundary of each current unit the file names; unknown codes are listed, not guessed. */
  async import(payload: unknown, ctx: ChangeContext, options: { dryRun?: boolean } = {}): Promise<BoundaryImport> {
    const items = parseBoundaries(payload);
    return this.ds.transaction(async (m) => {
      const units: Array<{ id: string; code: string; path: string; boundary: Geometry | null }> = await m.query(
        `SELECT id, code, path, boundary FROM administrative_unit WHERE code = ANY($1) AND valid_to IS NULL`,
        [items.map((i) => i.code)],
      );
      const byCode = new Map(units.map((u) => [u.code, u]));
      // Writing needs the unit within the writer's scope, as any change of a unit does.
      const outside = units.filter((u) => ctx.scope.kind !== 'country' && !(ctx.scope.kind === 'unit' && u.path.startsWith(ctx.scope.path)));
      if (outside.length) throw InventoryError.forbidden('You may not change units outside your scope', outside.map((u) => ({ field: 'code', message: `${u.code} is outside your scope`, value: u.code })));
      let updated = 0;
      let unchanged = 0;
      for (const item of items) {
        const unit = byCode.get(item.code);
        if (!unit) continue;
        if (JSON.stringify(unit.boundary) === JSON.stringify(item.geometry)) {
          unchanged++;
          continue;
        }
        updated++;
        if (options.dryRun) continue;
        await m.query(`UPDATE administrative_unit SET boundary = $2 WHERE id = $1`, [unit.id, JSON.stringify(item.geometry)]);
        // The audit entry says what changed, not the polygons (a district's are hundreds of kilobytes).
        const summary = (g: Geometry | null) => (g ? { type: g.type, positions: JSON.stringify(g.coordinates).split('],[').length } : null);
        await this.audit.record(m, ctx, [{ action: 'update', entityType: 'administrative_unit', entityId: unit.id, before: { boundary: summary(unit.boundary) }, after: { boundary: summary(item.geometry) }, place: unit.path }]);
      }
      return { dryRun: !!options.dryRun, updated, unchanged, unknownCodes: items.filter((i) => !byCode.has(i.code)).map((i) => i.code) };
    });
  }

  /**
   * The boundaries of the current units beneath `within` (a GSO code or id) at a level, as a
   * GeoJSON FeatureCollection simplified to `tolerance` degrees (0.001° ≈ 110 m: enough for a
   * province's map, a fraction of the size).
   */
  async features(within: string, level: UnitLevel, scope: Scope, tolerance: number): Promise<{ type: 'FeatureCollection'; features: unknown[] }> {
    const [parent] = (await this.ds.query(
      `SELECT path FROM administrative_unit WHERE (id::text = $1 OR code = $1) AND valid_to IS NULL LIMIT 1`,
      [within],
    )) as Array<{ path: string }>;
    if (!parent) throw InventoryError.invalid('Unknown administrative unit', [{ field: 'within', message: `no administrative unit with id or code ${within}`, value: within }]);
    // Visible units: within the scope, or above it (a district sees its province's map).
    const visible = scope.kind === 'country' ? 'true' : scope.kind === 'unit' ? `(u.path LIKE $3 ESCAPE '\\' OR $4 LIKE u.path || '%')` : 'true';
    const params: unknown[] = [`${likeEscape(parent.path)}%`, level];
    if (scope.kind === 'unit') params.push(`${likeEscape(scope.path)}%`, scope.path);
    const rows: Array<{ id: string; code: string; name: string; boundary: Geometry }> = await this.ds.query(
      `SELECT u.id, u.code, u.name, u.boundary FROM administrative_unit u
        WHERE u.path LIKE $1 ESCAPE '\\' AND u.level = $2 AND u.valid_to IS NULL AND u.boundary IS NOT NULL AND ${visible} ORDER BY u.code`,
      params,
    );
    return {
      type: 'FeatureCollection',
      features: rows.map((r) => {
        const feature = { type: 'Feature', id: r.id, properties: { id: r.id, code: r.code, name: r.name }, geometry: r.boundary };
        // Tolerance 0: every position as imported (simplify would still drop collinear ones).
        return tolerance > 0 ? simplify(feature as never, { tolerance, highQuality: false, mutate: true }) : feature;
      }),
    };
  }
}
