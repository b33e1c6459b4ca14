import {
  AGENCY_KINDS,
  type AgencyKind,
  DEVICE_KINDS,
  type DeviceKind,
  type FieldProblem,
  MEDIA,
  MEETING_SYSTEMS,
  type Medium,
  type MeetingSystem,
  NETWORKS,
  type Network,
  SECTORS,
  type Sector,
  UNIT_LEVELS,
  type UnitLevel,
} from '@app/inventory';

/**
 * An indicator's declaration, stored as data and compiled to SQL (compile.ts): a population and a
 * criterion that each member of it meets or not.
 */
export interface IndicatorDefinition {
  population: Population;
  /** Absent only for a reported indicator. */
  criterion?: Criterion;
}

/** Who is counted: filters narrow the agencies, units or staff of the plan's province. */
export type Population =
  | { entity: 'agency'; kinds?: AgencyKind[]; levels?: UnitLevel[]; sectors?: Sector[] }
  /** Units of a level; a unit counts when one of its own agencies (of the kinds given) meets the criterion. */
  | { entity: 'administrative_unit'; level: Exclude<UnitLevel, 'province'>; agencyKinds?: AgencyKind[] }
  /** Staff of the year's staffing figures; at most one working workstation counts per person. */
  | { entity: 'staff'; agencyKinds?: AgencyKind[]; levels?: UnitLevel[]; sectors?: Sector[]; include?: 'civil_servants' | 'all' }
  /** Devices themselves, for availability: "data-centre servers available 99.9% of the year". */
  | { entity: 'device'; kinds?: DeviceKind[]; role?: string[]; dataCentre?: boolean }
  /** No population: the value is entered by a planner per year (reported indicator). */
  | { entity: 'reported' };

/**
 * What `minBandwidthMbps` is judged on: the link's registered (contracted) figure, the capacity its
 * interface measures (IF-MIB ifHighSpeed, as the poller last listed it: today's, for any date), or both.
 */
export const BANDWIDTH_BASES = ['registered', 'measured', 'both'] as const;
export type BandwidthBasis = (typeof BANDWIDTH_BASES)[number];

export type Criterion =
  | { all: Criterion[] }
  | { any: Criterion[] }
  | { hasLink: { network?: Network[]; medium?: Medium[]; minBandwidthMbps?: number; bandwidthBasis?: BandwidthBasis } }
  | { hasLan: { complete?: boolean } }
  | { hasDevice: { kind: DeviceKind[]; role?: string[]; meetingSystem?: MeetingSystem[]; dataCentre?: boolean; count?: number } }
  | { availability: { kind?: DeviceKind[]; role?: string[]; minPercent: number; windowDays: number } };

export const POPULATION_ENTITIES = ['agency', 'administrative_unit', 'staff', 'device', 'reported'] as const;
const CRITERIA = ['all', 'any', 'hasLink', 'hasLan', 'hasDevice', 'availability'] as const;

type Json = Record<string, unknown>;

/**
 * Checks a declaration from a planner (JSON) and returns it normalised (single values turned into
 * lists), or every problem with its path: `definition.criterion.all[1].hasLink.network`.
 */
export function parseDefinition(raw: unknown, base = 'definition'): { value?: IndicatorDefinition; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string, value?: unknown) => problems.push({ field, message, ...(value === undefined ? {} : { value }) });

  const object = (v: unknown, path: string): Json | undefined => {
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
    bad(path, 'must be an object', v);
    return undefined;
  };
  const onlyKeys = (o: Json, path: string, keys: readonly string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) bad(`${path}.${k}`, `unknown field; expected one of: ${keys.join(', ')}`);
  };
  const list = <T extends string>(o: Json, key: string, path: string, allowed: readonly T[] | null, required = false): T[] | undefined => {
    const v = o[key];
    if (v === undefined) {
      if (required) bad(`${path}.${key}`, 'is required');
      return undefined;
    }
    const items = Array.isArray(v) ? v : [v];
    if (items.length === 0 || items.some((x) => typeof x !== 'string' || x === '')) {
      bad(`${path}.${key}`, 'must be a non-empty string or list of strings', v);
      return undefined;
    }
    if (allowed) {
      const unknown = items.filter((x) => !allowed.includes(x as T));
      if (unknown.length) {
        bad(`${path}.${key}`, `unknown value ${unknown.map((x) => `"${String(x)}"`).join(', ')}; expected some of: ${allowed.join(', ')}`, v);
        return undefined;
      }
    }
    return [...new Set(items as T[])];
  };
  const number = (o: Json, key: string, path: string, min: number, max: number, integer = false): number | undefined => {
    const v = o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      bad(`${path}.${key}`, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`, v);
      return undefined;
    }
    return v;
  };

  const population = (v: unknown, path: string): Population | undefined => {
    const o = object(v, path);
    if (!o) return undefined;
    const entity = o.entity;
    switch (entity) {
      case 'agency':
        onlyKeys(o, path, ['entity', 'kinds', 'levels', 'sectors']);
        return strip({ entity, kinds: list(o, 'kinds', path, AGENCY_KINDS), levels: list(o, 'levels', path, UNIT_LEVELS), sectors: list(o, 'sectors', path, SECTORS) });
      case 'staff': {
        onlyKeys(o, path, ['entity', 'agencyKinds', 'levels', 'sectors', 'include']);
        const include = o.include;
        if (include !== undefined && include !== 'civil_servants' && include !== 'all') bad(`${path}.include`, 'must be civil_servants or all', include);
        return strip({
          entity,
          agencyKinds: list(o, 'agencyKinds', path, AGENCY_KINDS),
          levels: list(o, 'levels', path, UNIT_LEVELS),
          sectors: list(o, 'sectors', path, SECTORS),
          include: include === 'all' ? ('all' as const) : ('civil_servants' as const),
        });
      }
      case 'administrative_unit': {
        onlyKeys(o, path, ['entity', 'level', 'agencyKinds']);
        const level = o.level;
        if (level !== 'district' && level !== 'commune') bad(`${path}.level`, 'must be district or commune', level);
        return strip({ entity, level: level as 'district' | 'commune', agencyKinds: list(o, 'agencyKinds', path, AGENCY_KINDS) });
      }
      case 'device':
        onlyKeys(o, path, ['entity', 'kinds', 'role', 'dataCentre']);
        if (o.dataCentre !== undefined && typeof o.dataCentre !== 'boolean') bad(`${path}.dataCentre`, 'must be true or false', o.dataCentre);
        return strip({ entity, kinds: list(o, 'kinds', path, DEVICE_KINDS), role: list(o, 'role', path, null), dataCentre: typeof o.dataCentre === 'boolean' ? o.dataCentre : undefined });
      case 'reported':
        onlyKeys(o, path, ['entity']);
        return { entity };
      default:
        bad(`${path}.entity`, `must be one of: ${POPULATION_ENTITIES.join(', ')}`, entity);
        return undefined;
    }
  };

  const criterion = (v: unknown, path: string, depth: number): Criterion | undefined => {
    const o = object(v, path);
    if (!o) return undefined;
    const keys = Object.keys(o);
    if (keys.length !== 1 || !(CRITERIA as readonly string[]).includes(keys[0])) {
      bad(path, `must have exactly one of: ${CRITERIA.join(', ')}`, keys);
      return undefined;
    }
    if (depth > 6) {
      bad(path, 'nested too deeply (at most 6 levels)');
      return undefined;
    }
    const key = keys[0] as (typeof CRITERIA)[number];
    const at = `${path}.${key}`;
    switch (key) {
      case 'all':
      case 'any': {
        const items = o[key];
        if (!Array.isArray(items) || items.length === 0) {
          bad(at, 'must be a non-empty list of criteria', items);
          return undefined;
        }
        const parts = items.map((c, i) => criterion(c, `${at}[${i}]`, depth + 1));
        return key === 'all' ? { all: parts as Criterion[] } : { any: parts as Criterion[] };
      }
      case 'hasLink': {
        const p = object(o[key], at);
        if (!p) return undefined;
        onlyKeys(p, at, ['network', 'medium', 'minBandwidthMbps', 'bandwidthBasis']);
        const basis = p.bandwidthBasis;
        if (basis !== undefined && (typeof basis !== 'string' || !BANDWIDTH_BASES.includes(basis as BandwidthBasis))) bad(`${at}.bandwidthBasis`, `must be one of: ${BANDWIDTH_BASES.join(', ')}`, basis);
        else if (basis !== undefined && p.minBandwidthMbps === undefined) bad(`${at}.bandwidthBasis`, 'says what minBandwidthMbps is judged on: give minBandwidthMbps too');
        return {
          hasLink: strip({
            network: list(p, 'network', at, NETWORKS),
            medium: list(p, 'medium', at, MEDIA),
            minBandwidthMbps: number(p, 'minBandwidthMbps', at, 0, 1e6),
            bandwidthBasis: basis === 'registered' ? undefined : (basis as BandwidthBasis | undefined),
          }),
        };
      }
      case 'hasLan': {
        const p = object(o[key], at);
        if (!p) return undefined;
        onlyKeys(p, at, ['complete']);
        if (p.complete !== undefined && typeof p.complete !== 'boolean') bad(`${at}.complete`, 'must be true or false', p.complete);
        return { hasLan: { complete: p.complete === true } };
      }
      case 'hasDevice': {
        const p = object(o[key], at);
        if (!p) return undefined;
        onlyKeys(p, at, ['kind', 'role', 'meetingSystem', 'dataCentre', 'count']);
        if (p.dataCentre !== undefined && typeof p.dataCentre !== 'boolean') bad(`${at}.dataCentre`, 'must be true or false', p.dataCentre);
        return {
          hasDevice: strip({
            kind: list(p, 'kind', at, DEVICE_KINDS, true) ?? [],
            role: list(p, 'role', at, null),
            meetingSystem: list(p, 'meetingSystem', at, MEETING_SYSTEMS),
            dataCentre: typeof p.dataCentre === 'boolean' ? p.dataCentre : undefined,
            count: number(p, 'count', at, 1, 100000, true),
          }),
        };
      }
      case 'availability': {
        const p = object(o[key], at);
        if (!p) return undefined;
        onlyKeys(p, at, ['kind', 'role', 'minPercent', 'windowDays']);
        const minPercent = number(p, 'minPercent', at, 0, 100);
        const windowDays = number(p, 'windowDays', at, 1, 366, true);
        if (minPercent === undefined) bad(`${at}.minPercent`, 'is required');
        return { availability: strip({ kind: list(p, 'kind', at, DEVICE_KINDS), role: list(p, 'role', at, null), minPercent: minPercent ?? 0, windowDays: windowDays ?? 365 }) };
      }
    }
  };

  const o = object(raw, base);
  if (!o) return { problems };
  onlyKeys(o, base, ['population', 'criterion']);
  const pop = o.population === undefined ? (bad(`${base}.population`, 'is required'), undefined) : population(o.population, `${base}.population`);
  let crit: Criterion | undefined;
  if (pop?.entity === 'reported') {
    if (o.criterion !== undefined) bad(`${base}.criterion`, 'a reported indicator has no criterion: its values are entered per year');
  } else if (o.criterion === undefined) {
    bad(`${base}.criterion`, 'is required');
  } else {
    crit = criterion(o.criterion, `${base}.criterion`, 0);
  }
  // The checks across population and criterion need both to be well formed.
  if (problems.length) return { problems };
  if (pop?.entity === 'staff' && crit && !isWorkstationCriterion(crit)) {
    bad(`${base}.criterion`, 'a staff indicator counts workstations: its criterion must be { "hasDevice": { "kind": "workstation" } }');
  }
  if (pop?.entity === 'device' && crit && !('availability' in crit)) {
    bad(`${base}.criterion`, 'a device population is measured by availability: its criterion must be { "availability": { … } }');
  }
  if (pop && pop.entity !== 'device' && crit && leavesOf(crit).some(([, l]) => 'availability' in l)) {
    bad(`${base}.criterion`, 'availability applies to a device population ({ "entity": "device", … })');
  }
  if (problems.length) return { problems };
  return { value: strip({ population: pop!, criterion: crit }), problems };
}

export function isWorkstationCriterion(c: Criterion): boolean {
  return 'hasDevice' in c && c.hasDevice.kind.length === 1 && c.hasDevice.kind[0] === 'workstation' && c.hasDevice.count === undefined;
}

/** Every leaf of a criterion, depth first, as [path, leaf]. */
export function leavesOf(c: Criterion, path = 'criterion'): Array<[string, Exclude<Criterion, { all: Criterion[] } | { any: Criterion[] }>]> {
  if ('all' in c) return c.all.flatMap((x, i) => leavesOf(x, `${path}.all[${i}]`));
  if ('any' in c) return c.any.flatMap((x, i) => leavesOf(x, `${path}.any[${i}]`));
  return [[path, c]];
}

function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}
