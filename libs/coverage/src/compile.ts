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
  /** Where equipment was before its current agency (equipment_placement). */
  placement: string;
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
  /** The whole country is counted (provincePath '/'): leaves are built as sets once, not probed per member. */
  national?: boolean;
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

/** From this many dates, a national staff count scans the workstations once instead of probing each agency per date. */
export const SCAN_FROM_DATES = Number(process.env.COVERAGE_SCAN_FROM_DATES ?? 3);

export function compile(def: IndicatorDefinition, t: InventoryTables, scope: Scope): CompiledIndicator {
  const p = new Params();
  // Every date in one pass: the dates are a table joined to the population.
  const datesParam = p.add(scope.dates);
  const dates = `unnest(${datesParam}::date[]) AS ad(as_of)`;
  // Counting the whole country, each leaf is the set of (agency, date) pairs that meet it, built
  // once and hashed; counting a province or a district, a probe per agency and date through the
  // indexes is cheaper. Both give the same answer.
  const national = scope.national === true && !scope.agencyIds;
  const asOf = 'ad.as_of';
  const today = p.add(scope.today);
  const within = p.add(`${scope.provincePath}%`);
  const onlyAgencies = (column: string) => (scope.agencyIds ? ` AND ${column} = ANY(${p.add(scope.agencyIds)})` : '');
  const pop = def.population;
  if (pop.entity === 'reported' || !def.criterion) throw new CoverageError('A reported indicator has no SQL: its values are entered per year');
  const criterion = def.criterion;

  /** Equipment `x` is in service on the date `d`. */
  const working = (x: string, d = asOf) =>
    `${x}.status <> 'planned' AND ${x}.commissioned_on <= ${d} AND (${x}.retired_on IS NULL OR ${x}.retired_on > ${d}) AND NOT (${x}.status = 'faulty' AND ${d} >= ${today})`;
  // Equipment counts where it was on the date: at its agency from the day it came there
  // (placed_on), at its previous agency from previous_from until then (both on the row: one table
  // to read, as before any move), at an older place from equipment_placement (items moved twice).
  /** The agency equipment `x` was at on `d` by its row (null when only an older place says). */
  const agencyOn = (x: string, d: string) =>
    `CASE WHEN ${x}.placed_on IS NULL OR ${x}.placed_on <= ${d} THEN ${x}.agency_id WHEN ${x}.previous_from IS NULL OR ${x}.previous_from <= ${d} THEN ${x}.previous_agency_id END`;
  /** Equipment `x` was at its current agency on `d`. */
  const here = (x: string, d: string) => `(${x}.placed_on IS NULL OR ${x}.placed_on <= ${d})`;
  /** …at its previous agency on `d`. */
  const before = (x: string, d: string) => `(${x}.placed_on > ${d} AND (${x}.previous_from IS NULL OR ${x}.previous_from <= ${d}))`;
  /** Older placement `pl` held on `d`. */
  const was = (pl: string, d: string) => `${pl}.valid_to > ${d} AND (${pl}.valid_from IS NULL OR ${pl}.valid_from <= ${d})`;
  /** The rows of `table` (entity `entity`) as `x`, joined to their older places `pl`. */
  const older = (table: string, entity: string, x: string) => `FROM ${t.placement} pl JOIN ${table} ${x} ON ${x}.id = pl.entity_id AND pl.entity_type = '${entity}'`;
  // Probing agency by agency, each lookup that cannot find anything is skipped (two facts on the
  // agency, kept by triggers: migration MovesOut): its previous and older places only when
  // something left it after the date (most agencies never lost an item), its current place only
  // when something sits there (an old commune's committee, once the reorganisation moved
  // everything, holds nothing). So an agency is looked up in as many places as it has been, and
  // where something left, those places are looked at first.
  /** Agency `a` (an alias) had equipment leave it after `d`. */
  const leftAfter = (a: string, d: string) => `${a}.last_move_out_on > ${d}`;
  /** Agency `a` (an alias) may hold equipment now. */
  const holds = (a: string) => `${a}.holds_equipment`;
  // Older places exist only for items moved twice: until there is one, their lookups are skipped
  // by a test run once per query (an InitPlan), not once per agency and date.
  const anyOlder = `EXISTS (SELECT 1 FROM ${t.placement})`;
  /** The probes of agency `a` (an alias) for rows of `table` meeting `cond` on the row's date: where they are now, where they were. */
  const probes = (a: string, table: string, entity: string, x: string, cond: (d: string) => string) => ({
    current: `FROM ${table} ${x} WHERE ${x}.agency_id = ${a}.id AND ${here(x, asOf)} AND ${cond(asOf)}`,
    earlier: [
      `FROM ${table} ${x} WHERE ${x}.previous_agency_id = ${a}.id AND ${before(x, asOf)} AND ${cond(asOf)}`,
      `${older(table, entity, x)} WHERE ${anyOlder} AND pl.agency_id = ${a}.id AND ${was('pl', asOf)} AND ${cond(asOf)}`,
    ],
  });
  /** How many rows of `table` meeting `cond` agency `a` (an alias) has on the row's date, probing. */
  const countAt = (a: string, table: string, entity: string, x: string, cond: (d: string) => string): string => {
    const { current, earlier } = probes(a, table, entity, x, cond);
    const count = (f: string) => `(SELECT count(*) ${f})`;
    return `(CASE WHEN ${holds(a)} THEN ${count(current)} ELSE 0 END + CASE WHEN ${leftAfter(a, asOf)} THEN ${earlier.map(count).join(' + ')} ELSE 0 END)`;
  };
  /** True when agency `a` (an alias) owns, on the row's date, at least one (or `minCount`) row of `table` meeting `cond`. */
  const owns = (a: string, table: string, entity: string, x: string, cond: (d: string) => string, minCount?: string): string => {
    if (national) {
      const dates2 = `CROSS JOIN unnest(${datesParam}::date[]) AS ad2(as_of)`;
      const both = `SELECT ${agencyOn(x, 'ad2.as_of')} AS agency_id, ad2.as_of FROM ${table} ${x} ${dates2} WHERE ${cond('ad2.as_of')}
        UNION ALL SELECT pl.agency_id, ad2.as_of ${older(table, entity, x)} ${dates2} WHERE ${was('pl', 'ad2.as_of')} AND ${cond('ad2.as_of')}`;
      return minCount ? `(${a}.id, ${asOf}) IN (SELECT z.agency_id, z.as_of FROM (${both}) z GROUP BY 1, 2 HAVING count(*) >= ${minCount})` : `(${a}.id, ${asOf}) IN (${both})`;
    }
    if (minCount) return `${countAt(a, table, entity, x, cond)} >= ${minCount}`;
    const { current, earlier } = probes(a, table, entity, x, cond);
    const exists = (f: string) => `EXISTS (SELECT 1 ${f})`;
    return `(CASE WHEN ${leftAfter(a, asOf)} THEN ${earlier.map(exists).join(' OR ')} OR (${holds(a)} AND ${exists(current)}) ELSE ${holds(a)} AND ${exists(current)} END)`;
  };
  const anyOf = (column: string, values: unknown[] | undefined) => (values?.length ? ` AND ${column} = ANY(${p.add(values)})` : '');

  /** SQL true when agency `a` (an alias) meets the leaf. */
  const leafSql = (c: Criterion, a: string, completeOnly = true): string => {
    if ('hasLink' in c) {
      const q = c.hasLink;
      let bandwidth = '';
      if (q.minBandwidthMbps !== undefined) {
        const min = p.add(q.minBandwidthMbps);
        const registered = `l.bandwidth_mbps >= ${min}`;
        // The capacity the link's interface measures (ifHighSpeed as last listed): by the name the link gives, else its ifIndex.
        const measured = `EXISTS (SELECT 1 FROM device_interface i WHERE i.device_id = l.device_id AND i.gone_at IS NULL AND i.speed_mbps >= ${min}
                            AND (i.name = l.interface_name OR (l.interface_name IS NULL AND i.if_index = l.if_index)))`;
        bandwidth = ` AND ${q.bandwidthBasis === 'measured' ? measured : q.bandwidthBasis === 'both' ? `${registered} AND ${measured}` : registered}`;
      }
      const filters = `${anyOf('l.network', q.network)}${anyOf('l.medium', q.medium)}${bandwidth}`;
      return owns(a, t.wanLink, 'wan_link', 'l', (d) => `${working('l', d)}${filters}`);
    }
    if ('hasLan' in c) {
      const complete = c.hasLan.complete && completeOnly;
      return owns(a, t.lan, 'lan', 'n', (d) => `${working('n', d)}${complete ? ` AND n.completed_on IS NOT NULL AND n.completed_on <= ${d}` : ''}`);
    }
    if ('hasDevice' in c) {
      const q = c.hasDevice;
      const filters = `${anyOf('d.kind', q.kind)}${anyOf('d.role', q.role)}${anyOf('d.meeting_system', q.meetingSystem)}${
        q.dataCentre === undefined ? '' : q.dataCentre ? ' AND d.data_centre IS NOT NULL' : ' AND d.data_centre IS NULL'
      }`;
      return owns(a, t.device, 'device', 'd', (d) => `${working('d', d)}${filters}`, q.count && q.count > 1 ? p.add(q.count) : undefined);
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

  // An agency counts in the unit it was in on the date: the reorganisation carries a school into
  // its new commune and keeps the old one on it (previous_unit_id, until unit_since).
  /** The unit agency `a` was in on the date `d` (the row's date by default). */
  const unitOf = (a: string, d = asOf) => `CASE WHEN ${a}.unit_since IS NULL OR ${a}.unit_since <= ${d} THEN ${a}.administrative_unit_id ELSE ${a}.previous_unit_id END`;
  // Over the whole country that unit is the hashed join key; counting a province, each of the
  // province's units looks its agencies up in both unit indexes at once (a BitmapOr), `moved` when
  // found by the previous one. One query level, so the planner joins it once per unit, not once per
  // unit and date (written as a UNION ALL it was a subquery probed for every date, its Memoize
  // purged at each row: 70 ms against 43 ms for a district-level plan target of Hà Nội).
  const agenciesOf = (u: string) =>
    `LATERAL (SELECT a0.*, a0.administrative_unit_id IS DISTINCT FROM ${u}.id AS moved FROM ${t.agency} a0 WHERE a0.administrative_unit_id = ${u}.id OR a0.previous_unit_id = ${u}.id)`;
  const atUnitOn = (a: string) => `CASE WHEN ${a}.moved THEN ${a}.unit_since > ${asOf} ELSE (${a}.unit_since IS NULL OR ${a}.unit_since <= ${asOf}) END`;
  /** Agencies `a` in units `u` on the row's date (after the dates in FROM). */
  const agenciesInUnits = national
    ? `CROSS JOIN ${t.agency} a JOIN ${t.unit} u ON u.id = ${unitOf('a')}`
    : `CROSS JOIN ${t.unit} u JOIN ${agenciesOf('u')} a ON ${atUnitOn('a')}`;
  /** Unit or agency `u` existed on the date `d` (the row's date by default). */
  const unitValid = (u: string, d = asOf) => `(${u}.valid_from IS NULL OR ${u}.valid_from <= ${d}) AND (${u}.valid_to IS NULL OR ${u}.valid_to > ${d})`;
  /**
   * Over the whole country, each unit `u`'s agencies `a` on the row's date as a LEFT JOIN's target
   * and condition: the agencies that existed on each date (not the committees begun since) with
   * their unit then, so the join hashes on (unit, date).
   */
  const nationalUnitsAgencies = `(SELECT a0.*, ad3.as_of AS at_date, ${unitOf('a0', 'ad3.as_of')} AS unit_at FROM ${t.agency} a0 CROSS JOIN unnest(${datesParam}::date[]) AS ad3(as_of)
          WHERE ${unitValid('a0', 'ad3.as_of')}) a
        ON a.unit_at = u.id AND a.at_date = ${asOf}`;
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
      FROM ${dates} CROSS JOIN ${t.device} d
      CROSS JOIN LATERAL (SELECT COALESCE(${agencyOn('d', asOf)},
                                          (SELECT pl.agency_id FROM ${t.placement} pl WHERE pl.entity_type = 'device' AND pl.entity_id = d.id AND ${was('pl', asOf)} LIMIT 1)) AS agency_id) da
      JOIN ${t.agency} a ON a.id = da.agency_id
      JOIN ${t.unit} u ON u.id = ${unitOf('a')} ${districtJoin('u')}
      CROSS JOIN LATERAL ${ledger} f
      WHERE u.path LIKE ${within} AND ${working('d')}${onlyAgencies('da.agency_id')}${anyOf('d.kind', kinds.length ? kinds : undefined)}${anyOf('d.role', roles.length ? roles : undefined)}${
        pop.dataCentre === undefined ? '' : pop.dataCentre ? ' AND d.data_centre IS NOT NULL' : ' AND d.data_centre IS NULL'
      }`;
  } else if (pop.entity === 'administrative_unit') {
    if (scope.agencyIds) throw new CoverageError('Counted over administrative units: not for a token scoped to one agency');
    const kinds = anyOf('a.kind', pop.agencyKinds);
    // Each unit's agencies of the kinds counted, each leaf once per agency and date; the unit then
    // meets a leaf when one of its agencies does, and counts when one agency meets the whole criterion.
    // Over the whole country the agencies of each date are hashed on (unit, date). Counting a
    // province, each unit's agencies are looked up once, then taken date by date: one that was
    // not in the unit on a date gives that row no agency and no leaf (none of its lookups run).
    const present = national ? 'true' : `(a.id IS NOT NULL AND ${atUnitOn('a')} AND ${unitValid('a')})`;
    const when = (x: string) => (national ? x : `CASE WHEN ${present} THEN ${x} END`);
    const inner = leafList.map(([, leaf], i) => {
      const partial = 'hasLan' in leaf && leaf.hasLan.complete ? `, ${when(leafSql(leaf, 'a', false))} AS partial_${i}` : '';
      return `, ${when(leafSql(leaf, 'a'))} AS leaf_${i}${partial}`;
    });
    const outer = leafList.map(([, leaf], i) => `, coalesce(bool_or(x.leaf_${i}), false) AS leaf_${i}${'hasLan' in leaf && leaf.hasLan.complete ? `, coalesce(bool_or(x.partial_${i}), false) AS partial_${i}` : ''}`);
    const unitsAndAgencies = national
      ? `${dates} CROSS JOIN ${t.unit} u ${districtJoin('u')} LEFT JOIN ${nationalUnitsAgencies} AND ${unitValid('a')}${kinds}`
      : `${t.unit} u ${districtJoin('u')} LEFT JOIN ${agenciesOf('u')} a ON true${kinds} CROSS JOIN ${dates}`;
    sql = `SELECT x.as_of, x.province_id, x.member_id, x.member_name, x.member_code, x.member_name AS unit_name, x.district_id, x.district_name,
        1 AS weight, CASE WHEN coalesce(bool_or(${overLeaves(criterion, 'x')}), false) THEN 1 ELSE 0 END AS covered, bool_or(x.agency_id IS NOT NULL) AS has_agency${outer.join('')}
      FROM (SELECT ${where('u')}, u.id AS member_id, u.name AS member_name, u.code AS member_code, dist.id AS district_id, dist.name AS district_name, ${when('a.id')} AS agency_id${inner.join('')}
        FROM ${unitsAndAgencies}
        WHERE u.path LIKE ${within} AND u.level = ${p.add(pop.level)} AND ${unitValid('u')}) x
      GROUP BY x.as_of, x.province_id, x.member_id, x.member_name, x.member_code, x.district_id, x.district_name`;
  } else {
    const agencies = agencyFilter(pop, p);
    if (pop.entity === 'staff') {
      const staff = pop.include === 'all' ? 's.civil_servants + s.public_employees' : 's.civil_servants';
      // Working workstations per agency and date: over the whole country with several dates, one
      // scan of the workstations counting every date at once; otherwise a count per agency and
      // date through the index (faster for one date even nationally: 122 ms against 380 ms for
      // 1,000,000 workstations in bench:coverage). OFFSET 0 keeps the count a subquery of its own:
      // pulled up, its three probes ran once for each of the two places w.n is read.
      // Each workstation where it was on the date (see owns). Nationally: one scan counting, per
      // agency, the workstations there on each date; one over the moved ones (a partial index) for
      // their previous agency; one over older places. Each is an agency's row of counts unnested
      // by date, so the planner sizes them as the one scan it had before anything moved.
      const nth = (i: number) => `(${datesParam}::date[])[${i + 1}]`;
      const counts = (at: (d: string) => string) => `unnest(${datesParam}::date[]) AS as_of, unnest(ARRAY[${scope.dates.map((_, i) => `count(*) FILTER (WHERE ${working('d', nth(i))} AND ${at(nth(i))})`).join(', ')}]) AS n`;
      const workstations =
        national && scope.dates.length >= SCAN_FROM_DATES
          ? `LEFT JOIN (SELECT d.agency_id, ${counts((d) => here('d', d))} FROM ${t.device} d WHERE d.kind = 'workstation' GROUP BY d.agency_id) wn
               ON wn.agency_id = a.id AND wn.as_of = ad.as_of
             LEFT JOIN (SELECT d.previous_agency_id AS agency_id, ${counts((d) => before('d', d))} FROM ${t.device} d
                         WHERE d.kind = 'workstation' AND d.previous_agency_id IS NOT NULL GROUP BY d.previous_agency_id) wp
               ON wp.agency_id = a.id AND wp.as_of = ad.as_of
             LEFT JOIN (SELECT pl.agency_id, ${counts((d) => was('pl', d))} ${older(t.device, 'device', 'd')} WHERE d.kind = 'workstation' GROUP BY pl.agency_id) wo
               ON wo.agency_id = a.id AND wo.as_of = ad.as_of
             CROSS JOIN LATERAL (SELECT coalesce(wn.n, 0) + coalesce(wp.n, 0) + coalesce(wo.n, 0) AS n) w`
          : `CROSS JOIN LATERAL (SELECT ${countAt('a', t.device, 'device', 'd', (d) => `d.kind = 'workstation' AND ${working('d', d)}`)} AS n OFFSET 0) w`;
      sql = `SELECT ${where('u')}, a.id AS member_id, a.name AS member_name, a.code AS member_code, u.name AS unit_name, dist.id AS district_id, dist.name AS district_name,
          ${staff} AS weight, CASE WHEN s.agency_id IS NULL THEN NULL ELSE LEAST(${staff}, w.n) END AS covered, w.n AS workstations
        FROM ${dates} ${agenciesInUnits} ${districtJoin('u')}
        LEFT JOIN ${t.staffing} s ON s.agency_id = a.id AND s.year = extract(year FROM ad.as_of)::int
        ${workstations}
        WHERE u.path LIKE ${within} AND ${unitValid('u')} AND ${unitValid('a')}${agencies}${onlyAgencies('a.id')}`;
      return { sql, params: p.values, leaves: [] };
    }
    const cols = leafList.map(([, leaf], i) => {
      const partial = 'hasLan' in leaf && leaf.hasLan.complete ? `, ${leafSql(leaf, 'a', false)} AS partial_${i}` : '';
      return `, ${leafSql(leaf, 'a')} AS leaf_${i}${partial}`;
    });
    // Each leaf once per agency; the criterion is then combined from the leaf columns (OFFSET 0
    // keeps m a subquery: pulled up, each leaf's probes ran again for \`covered\`).
    sql = `SELECT m.*, CASE WHEN ${overLeaves(criterion)} THEN 1 ELSE 0 END AS covered FROM (
      SELECT ${where('u')}, a.id AS member_id, a.name AS member_name, a.code AS member_code, u.name AS unit_name, dist.id AS district_id, dist.name AS district_name,
        1 AS weight${cols.join('')}
      FROM ${dates} ${agenciesInUnits} ${districtJoin('u')}
      WHERE u.path LIKE ${within} AND ${unitValid('u')} AND ${unitValid('a')}${agencies}${onlyAgencies('a.id')} OFFSET 0) m`;
  }
  return { sql, params: p.values, leaves };
}

/** The criterion as a boolean over the columns leaf_0, leaf_1, … (numbered as leavesOf numbers them). */
function overLeaves(c: Criterion, alias = 'm'): string {
  let next = 0;
  const walk = (x: Criterion): string => {
    if ('all' in x) return `(${x.all.map(walk).join(' AND ')})`;
    if ('any' in x) return `(${x.any.map(walk).join(' OR ')})`;
    return `${alias}.leaf_${next++}`;
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
