import type { Criterion, IndicatorDefinition, Population } from './definition';
import { leavesOf } from './definition';
import { availabilitySql } from '@app/polling';
import { CoverageError } from './coverage-error';
import { type Label, leafLabel } from './labels';

/** The inventory's tables, named from its entities' metadata (see CoverageService). */
export interface InventoryTables {
  unit: string;
  agency: string;
  staffing: string;
  device: string;
  lan: string;
  wanLink: string;
}

/** Where and when an indicator is computed. */
export interface Scope {
  /** The province's path ("/<id>/"), or a district's: everything beneath it is counted. */
  provincePath: string;
  /** Only these agencies (and what they own) are counted: a token scoped to one agency. */
  agencyIds?: readonly string[];
  /**
   * Equipment counts on these dates (ends of target years, or any date asked): one pass counts
   * them all, a row per member and date. Staff indicators take the staffing of each date's year.
   */
  dates: readonly string[];
  /** Today: a faulty device counts for past dates (when it worked) but not from today on. */
  today: string;
}

/** Positional parameters for one query. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface LeafColumn {
  path: string;
  label: Label;
  /** For a complete-LAN leaf: a second column telling whether any LAN is there ("LAN incomplete"). */
  partial?: Label;
}

/**
 * One row per member of the population and date with what decides it:
 *   as_of (the date, as text), province_id, member_id, member_name, member_code, unit_name, district_id, district_name,
 *   weight  (1 per agency or unit; staff of the year for staff; NULL when the staff figure is missing),
 *   covered (0/1; for staff, working workstations up to the staff figure),
 *   leaf_<i> (each criterion leaf, for the reasons a member does not count), partial_<i>.
 */
export interface CompiledIndicator {
  sql: string;
  params: unknown[];
  leaves: LeafColumn[];
}

export function compile(def: IndicatorDefinition, t: InventoryTables, scope: Scope): CompiledIndicator {
  const p = new Params();
  // Every date in one pass: the dates are a table joined to the population.
  const dates = `unnest(${p.add(scope.dates)}::date[]) AS ad(as_of)`;
  const asOf = 'ad.as_of';
  const today = p.add(scope.today);
  const within = p.add(`${scope.provincePath}%`);
  const onlyAgencies = (column: string) => (scope.agencyIds ? ` AND ${column} = ANY(${p.add(scope.agencyIds)})` : '');
  const pop = def.population;
  if (pop.entity === 'reported' || !def.criterion) throw new CoverageError('A reported indicator has no SQL: its values are entered per year');
  const criterion = def.criterion;

  /** Equipment `x` is in service on the date. */
  const working = (x: string) =>
    `${x}.status <> 'planned' AND ${x}.commissioned_on <= ${asOf} AND (${x}.retired_on IS NULL OR ${x}.retired_on > ${asOf}) AND NOT (${x}.status = 'faulty' AND ${asOf} >= ${today})`;
  const anyOf = (column: string, values: unknown[] | undefined) => (values?.length ? ` AND ${column} = ANY(${p.add(values)})` : '');

  /** SQL true when agency `a` meets the leaf. */
  const leafSql = (c: Criterion, a: string, completeOnly = true): string => {
    if ('hasLink' in c) {
      const q = c.hasLink;
      return `EXISTS (SELECT 1 FROM ${t.wanLink} l WHERE l.agency_id = ${a} AND ${working('l')}${anyOf('l.network', q.network)}${anyOf('l.medium', q.medium)}${
        q.minBandwidthMbps !== undefined ? ` AND l.bandwidth_mbps >= ${p.add(q.minBandwidthMbps)}` : ''
      })`;
    }
    if ('hasLan' in c) {
      const complete = c.hasLan.complete && completeOnly ? ` AND n.completed_on IS NOT NULL AND n.completed_on <= ${asOf}` : '';
      return `EXISTS (SELECT 1 FROM ${t.lan} n WHERE n.agency_id = ${a} AND ${working('n')}${complete})`;
    }
    if ('hasDevice' in c) {
      const q = c.hasDevice;
      const where = `d.agency_id = ${a} AND ${working('d')}${anyOf('d.kind', q.kind)}${anyOf('d.role', q.role)}${anyOf('d.meeting_system', q.meetingSystem)}${
        q.dataCentre === undefined ? '' : q.dataCentre ? ' AND d.data_centre IS NOT NULL' : ' AND d.data_centre IS NULL'
      }`;
      return q.count && q.count > 1 ? `(SELECT count(*) FROM ${t.device} d WHERE ${where}) >= ${p.add(q.count)}` : `EXISTS (SELECT 1 FROM ${t.device} d WHERE ${where})`;
    }
    if ('availability' in c) {
      // Validation keeps availability to device populations, which are compiled below.
      throw new CoverageError('availability applies to a device population', [{ field: 'criterion.availability', message: 'use { "entity": "device" } as the population' }]);
    }
    const parts = ('all' in c ? c.all : c.any).map((x) => `(${leafSql(x, a)})`);
    return parts.join('all' in c ? ' AND ' : ' OR ');
  };

  const leaves: LeafColumn[] = leavesOf(criterion).map(([path, leaf]) => ({
    path,
    label: leafLabel(leaf),
    ...('hasLan' in leaf && leaf.hasLan.complete ? { partial: leafLabel({ hasLan: { complete: false } }) } : {}),
  }));
  const leafList = leavesOf(criterion);

  const unitValid = (u: string) => `(${u}.valid_from IS NULL OR ${u}.valid_from <= ${asOf}) AND (${u}.valid_to IS NULL OR ${u}.valid_to > ${asOf})`;
  // The district a unit lies in: the second segment of its path, when that unit is a district
  // (a commune directly under its province, as since 2025, has none).
  const districtJoin = (u: string) =>
    `LEFT JOIN ${t.unit} dist ON dist.id = NULLIF(split_part(${u}.path, '/', 3), '')::uuid AND dist.level = 'district'`;
  // The date and the province (the first segment of the path) of each row, for grouping.
  const where = (u: string) => `ad.as_of::text AS as_of, NULLIF(split_part(${u}.path, '/', 2), '')::uuid AS province_id`;

  let sql: string;
  if (pop.entity === 'device') {
    if (!('availability' in criterion)) throw new CoverageError('a device population is measured by availability', [{ field: 'criterion', message: 'use { "availability": { … } }' }]);
    const q = criterion.availability;
    // The window: the windowDays that end with the date asked (the end of the target year), up to now.
    const to = `LEAST((${asOf}::date + 1)::timestamptz, now())`;
    const from = `((${asOf}::date + 1) - ${p.add(q.windowDays)}::int)::timestamptz`;
    const ledger = availabilitySql({ device: 'd.id', agency: 'd.agency_id', group: `COALESCE((SELECT sp.poller_group FROM snmp_profile sp WHERE sp.device_id = d.id), 'default')`, from, to, now: 'now()' });
    const met = `(f.up_seconds + f.down_seconds > 0 AND 100 * f.up_seconds / (f.up_seconds + f.down_seconds) >= ${p.add(q.minPercent)})`;
    const kinds = [...(pop.kinds ?? []), ...(q.kind ?? [])];
    const roles = [...(pop.role ?? []), ...(q.role ?? [])];
    sql = `SELECT ${where('u')}, d.id AS member_id, COALESCE(d.name, d.serial_number, d.kind) AS member_name, d.serial_number AS member_code, u.name AS unit_name,
        dist.id AS district_id, dist.name AS district_name, 1 AS weight, CASE WHEN ${met} THEN 1 ELSE 0 END AS covered, ${met} AS leaf_0,
        f.up_seconds, f.down_seconds, f.unknown_seconds
      FROM ${dates} CROSS JOIN ${t.device} d JOIN ${t.agency} a ON a.id = d.agency_id JOIN ${t.unit} u ON u.id = a.administrative_unit_id ${districtJoin('u')}
      CROSS JOIN LATERAL ${ledger} f
      WHERE u.path LIKE ${within} AND ${working('d')}${onlyAgencies('d.agency_id')}${anyOf('d.kind', kinds.length ? kinds : undefined)}${anyOf('d.role', roles.length ? roles : undefined)}${
        pop.dataCentre === undefined ? '' : pop.dataCentre ? ' AND d.data_centre IS NOT NULL' : ' AND d.data_centre IS NULL'
      }`;
  } else if (pop.entity === 'administrative_unit') {
    if (scope.agencyIds) throw new CoverageError('Counted over administrative units: not for a token scoped to one agency');
    const kinds = anyOf('a.kind', pop.agencyKinds);
    const via = (cond: string) => `EXISTS (SELECT 1 FROM ${t.agency} a WHERE a.administrative_unit_id = u.id${kinds} AND ${cond})`;
    const cols = leafList.map(([, leaf], i) => {
      const partial = 'hasLan' in leaf && leaf.hasLan.complete ? `, ${via(leafSql(leaf, 'a.id', false))} AS partial_${i}` : '';
      return `, ${via(leafSql(leaf, 'a.id'))} AS leaf_${i}${partial}`;
    });
    sql = `SELECT ${where('u')}, u.id AS member_id, u.name AS member_name, u.code AS member_code, u.name AS unit_name, dist.id AS district_id, dist.name AS district_name,
        1 AS weight, CASE WHEN ${via(leafSql(criterion, 'a.id'))} THEN 1 ELSE 0 END AS covered, ${via('true')} AS has_agency${cols.join('')}
      FROM ${dates} CROSS JOIN ${t.unit} u ${districtJoin('u')}
      WHERE u.path LIKE ${within} AND u.level = ${p.add(pop.level)} AND ${unitValid('u')}`;
  } else {
    const agencies = agencyFilter(pop, p);
    if (pop.entity === 'staff') {
      const staff = pop.include === 'all' ? 's.civil_servants + s.public_employees' : 's.civil_servants';
      const workstations = `(SELECT count(*) FROM ${t.device} d WHERE d.agency_id = a.id AND d.kind = 'workstation' AND ${working('d')})`;
      sql = `SELECT ${where('u')}, a.id AS member_id, a.name AS member_name, a.code AS member_code, u.name AS unit_name, dist.id AS district_id, dist.name AS district_name,
          ${staff} AS weight, CASE WHEN s.agency_id IS NULL THEN NULL ELSE LEAST(${staff}, w.n) END AS covered, w.n AS workstations
        FROM ${dates} CROSS JOIN ${t.agency} a JOIN ${t.unit} u ON u.id = a.administrative_unit_id ${districtJoin('u')}
        LEFT JOIN ${t.staffing} s ON s.agency_id = a.id AND s.year = extract(year FROM ad.as_of)::int
        CROSS JOIN LATERAL (SELECT ${workstations} AS n) w
        WHERE u.path LIKE ${within} AND ${unitValid('u')}${agencies}${onlyAgencies('a.id')}`;
      return { sql, params: p.values, leaves: [] };
    }
    const cols = leafList.map(([, leaf], i) => {
      const partial = 'hasLan' in leaf && leaf.hasLan.complete ? `, ${leafSql(leaf, 'a.id', false)} AS partial_${i}` : '';
      return `, ${leafSql(leaf, 'a.id')} AS leaf_${i}${partial}`;
    });
    // Each leaf once per agency; the criterion is then combined from the leaf columns.
    sql = `SELECT m.*, CASE WHEN ${overLeaves(criterion)} THEN 1 ELSE 0 END AS covered FROM (
      SELECT ${where('u')}, a.id AS member_id, a.name AS member_name, a.code AS member_code, u.name AS unit_name, dist.id AS district_id, dist.name AS district_name,
        1 AS weight${cols.join('')}
      FROM ${dates} CROSS JOIN ${t.agency} a JOIN ${t.unit} u ON u.id = a.administrative_unit_id ${districtJoin('u')}
      WHERE u.path LIKE ${within} AND ${unitValid('u')}${agencies}${onlyAgencies('a.id')}) m`;
  }
  return { sql, params: p.values, leaves };
}

/** The criterion as a boolean over the columns leaf_0, leaf_1, … (numbered as leavesOf numbers them). */
function overLeaves(c: Criterion): string {
  let next = 0;
  const walk = (x: Criterion): string => {
    if ('all' in x) return `(${x.all.map(walk).join(' AND ')})`;
    if ('any' in x) return `(${x.any.map(walk).join(' OR ')})`;
    return `m.leaf_${next++}`;
  };
  return walk(c);
}

function agencyFilter(pop: Extract<Population, { entity: 'agency' | 'staff' }>, p: Params): string {
  const kinds = pop.entity === 'agency' ? pop.kinds : pop.agencyKinds;
  return [
    kinds?.length ? ` AND a.kind = ANY(${p.add(kinds)})` : '',
    pop.levels?.length ? ` AND u.level = ANY(${p.add(pop.levels)})` : '',
    pop.sectors?.length ? ` AND a.sector = ANY(${p.add(pop.sectors)})` : '',
  ].join('');
}
