import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdministrativeUnit, Agency, AgencyStaffing, Device, EquipmentPlacement, Lan, WanLink } from '@app/inventory';
import { performance } from 'node:perf_hooks';
import { fold, likeEscape } from '@app/inventory';
import { compile, type InventoryTables, type LeafColumn } from './compile';
import type { Criterion, IndicatorDefinition } from './definition';
import type { DistrictFigure, MissingMember, TargetCoverage } from './coverage.types';
import type { Label } from './labels';

export interface Measurement {
  numerator: number;
  denominator: number;
  value: number | null;
  breakdown: DistrictFigure[];
  missing: TargetCoverage['missing'];
  unmeasured: TargetCoverage['unmeasured'];
}

export interface Where {
  provincePath: string;
  agencyIds?: readonly string[];
  asOf: string;
  today: string;
}

/** An area counted: a province or district path ('/' for the whole country), perhaps only some agencies. */
export interface Area {
  path: string;
  agencyIds?: readonly string[];
}

/** One district's (or a province's own units') figures on one date. */
export interface GroupFigure {
  provinceId: string | null;
  districtId: string | null;
  districtName: string | null;
  numerator: number;
  denominator: number;
  /** Members that do not count (weight known, covered below it). */
  missing: number;
  /** Members with no weight (a staff indicator's agencies with no staffing figure). */
  unmeasured: number;
}

/** How an evaluation went: the passes run, what they cost, what came from the cache. */
export interface EngineTrace {
  passes: Array<{ indicator: string; dates: number; ms: number; rows: number }>;
  cached: number;
}

type MemberRow = Record<string, unknown> & {
  member_id: string;
  member_name: string;
  member_code: string | null;
  unit_name: string;
  district_name: string | null;
  weight: number | null;
  covered: number | null;
  total: number;
};

export const percent = (num: number, den: number): number | null => (den > 0 ? Math.round((num / den) * 10000) / 100 : null);

/** Sums of figures (a province's from its districts'). */
export function totalOf(groups: GroupFigure[]): { numerator: number; denominator: number; missing: number; unmeasured: number } {
  return groups.reduce((s, g) => ({ numerator: s.numerator + g.numerator, denominator: s.denominator + g.denominator, missing: s.missing + g.missing, unmeasured: s.unmeasured + g.unmeasured }), {
    numerator: 0,
    denominator: 0,
    missing: 0,
    unmeasured: 0,
  });
}

/** At most this many district figures kept (about 100 bytes each): the oldest go first. */
const CACHE_GROUPS = 500_000;

/**
 * Runs compiled indicators in the database. Figures come grouped by date, province and district:
 * one pass per indicator counts every date asked and every province of the area. They are kept
 * in memory under the inventory's version (moved on by every committed write, see the
 * InventoryVersion migration), so a question asked again recounts nothing, and a write followed
 * by a read shows the write. Lists of the members that do not count are read a page at a time.
 */
@Injectable()
export class CoverageEngine {
  private readonly tables: InventoryTables;
  /** Figures by indicator, area and date, each with the inventory version it was counted under. */
  private readonly cache = new Map<string, { version: string; groups: GroupFigure[] }>();
  private cachedGroups = 0;
  private cachedVersion: string | null = null;

  constructor(@InjectDataSource() private readonly ds: DataSource) {
    const name = (e: Parameters<DataSource['getMetadata']>[0]) => `"${ds.getMetadata(e).tableName}"`;
    // The inventory's own entity metadata names its tables; coverage only reads them.
    this.tables = { unit: name(AdministrativeUnit), agency: name(Agency), staffing: name(AgencyStaffing), device: name(Device), lan: name(Lan), wanLink: name(WanLink), placement: name(EquipmentPlacement) };
  }

  /**
   * The inventory's version now, read before counting: figures counted after this read are kept
   * under it (a write committed meanwhile moves the version, so they are not reused after it).
   * The cache is emptied when the version has moved.
   */
  private async freshen(): Promise<string> {
    const [row] = (await this.ds.query(`SELECT n::text AS n FROM inventory_version WHERE id = 1`)) as Array<{ n: string }>;
    const version = row?.n ?? '';
    if (version !== this.cachedVersion) {
      this.cache.clear();
      this.cachedGroups = 0;
      this.cachedVersion = version;
    }
    return version;
  }

  /**
   * The figures of an indicator on each date, by province and district of the area. Dates whose
   * figures are kept are not recounted; the others are counted in one pass. Counting the whole
   * country keeps each province's figures too, so the provinces' own questions follow from it.
   */
  async figures(def: IndicatorDefinition, area: Area, dates: readonly string[], today: string, trace?: EngineTrace): Promise<Map<string, GroupFigure[]>> {
    // Availability moves with every poll: never kept.
    const cacheable = def.population.entity !== 'device';
    const defKey = JSON.stringify(def);
    const key = (path: string, date: string) => `${defKey}|${today}|${area.agencyIds?.join(',') ?? ''}|${path}|${date}`;
    const version = cacheable ? await this.freshen() : '';
    const out = new Map<string, GroupFigure[]>();
    const todo: string[] = [];
    for (const date of new Set(dates)) {
      const kept = cacheable ? this.cache.get(key(area.path, date)) : undefined;
      if (kept && kept.version === version) out.set(date, kept.groups);
      else todo.push(date);
    }
    if (trace) trace.cached += dates.length - todo.length;
    if (!todo.length) return out;
    const started = performance.now();
    const national = area.path === '/' && !area.agencyIds;
    const c = compile(def, this.tables, { provincePath: area.path, agencyIds: area.agencyIds, dates: todo, today, national });
    const sql = `WITH m AS (${c.sql}) SELECT as_of, province_id, district_id, district_name, coalesce(sum(covered), 0) AS num, coalesce(sum(weight), 0) AS den,
         count(*) FILTER (WHERE weight IS NOT NULL AND covered < weight) AS missing, count(*) FILTER (WHERE weight IS NULL) AS unmeasured
       FROM m GROUP BY as_of, province_id, district_id, district_name ORDER BY district_name NULLS FIRST`;
    // The whole country's leaf sets are hashed in memory: room for them, for this query only.
    const rows = (await (national
      ? this.ds.transaction(async (m) => {
          await m.query(`SET LOCAL work_mem = '256MB'`);
          return m.query(sql, c.params);
        })
      : this.ds.query(sql, c.params))) as Array<{ as_of: string; province_id: string | null; district_id: string | null; district_name: string | null; num: string; den: string; missing: string; unmeasured: string }>;
    trace?.passes.push({ indicator: `${def.population.entity}${national ? ' national' : ''}`, dates: todo.length, ms: Math.round(performance.now() - started), rows: rows.length });
    for (const date of todo) out.set(date, []);
    for (const r of rows) {
      out.get(r.as_of)?.push({
        provinceId: r.province_id,
        districtId: r.district_id,
        districtName: r.district_name,
        numerator: Number(r.num),
        denominator: Number(r.den),
        missing: Number(r.missing),
        unmeasured: Number(r.unmeasured),
      });
    }
    if (cacheable) {
      for (const date of todo) {
        const groups = out.get(date)!;
        this.keep(key(area.path, date), version, groups);
        // The whole country's figures are every province's: kept per province as well.
        if (area.path === '/' && !area.agencyIds) {
          const byProvince = new Map<string, GroupFigure[]>();
          for (const g of groups) if (g.provinceId) byProvince.set(g.provinceId, [...(byProvince.get(g.provinceId) ?? []), g]);
          for (const [id, list] of byProvince) this.keep(key(`/${id}/`, date), version, list);
        }
      }
    }
    return out;
  }

  private keep(key: string, version: string, groups: GroupFigure[]): void {
    // Counted under a version since superseded (another question saw a newer one): not kept.
    if (version !== this.cachedVersion) return;
    const old = this.cache.get(key);
    if (old) {
      this.cache.delete(key);
      this.cachedGroups -= old.groups.length + 1;
    }
    // Each entry counts its groups and itself (an empty one still takes room).
    for (const [k, e] of this.cache) {
      if (this.cachedGroups + groups.length + 1 <= CACHE_GROUPS) break;
      this.cache.delete(k);
      this.cachedGroups -= e.groups.length + 1;
    }
    this.cache.set(key, { version, groups });
    this.cachedGroups += groups.length + 1;
  }

  /** Numerator and denominator on one date. */
  async value(def: IndicatorDefinition, where: Where): Promise<{ numerator: number; denominator: number; value: number | null }> {
    const groups = (await this.figures(def, { path: where.provincePath, agencyIds: where.agencyIds }, [where.asOf], where.today)).get(where.asOf)!;
    const { numerator, denominator } = totalOf(groups);
    return { numerator, denominator, value: percent(numerator, denominator) };
  }

  /** Figures, the district breakdown, and the first `missingLimit` members that do not count. */
  async measure(def: IndicatorDefinition, where: Where, missingLimit = 100): Promise<Measurement> {
    const groups = (await this.figures(def, { path: where.provincePath, agencyIds: where.agencyIds }, [where.asOf], where.today)).get(where.asOf)!;
    const lists = missingLimit > 0 ? await this.members(def, where, { limit: missingLimit, offset: 0 }) : null;
    return { ...measurementOf(groups), ...(lists ?? {}) };
  }

  /**
   * A page of the members that do not count on the date (with the reason of each), and of those
   * not measured (no staffing figure): sorted by district, unit and name; `q` searches names
   * without diacritics.
   */
  async members(def: IndicatorDefinition, where: Where, page: { limit: number; offset: number; q?: string }): Promise<Pick<Measurement, 'missing' | 'unmeasured'>> {
    const c = compile(def, this.tables, { provincePath: where.provincePath, agencyIds: where.agencyIds, dates: [where.asOf], today: where.today });
    const n = c.params.length;
    const search = page.q ? ` AND (hatang_fold(member_name) LIKE $${n + 3} ESCAPE '\\' OR hatang_fold(coalesce(unit_name, '')) LIKE $${n + 3} ESCAPE '\\' OR member_code LIKE $${n + 3} ESCAPE '\\')` : '';
    const params = [...c.params, page.limit, page.offset, ...(page.q ? [`%${likeEscape(fold(page.q.trim()))}%`] : [])];
    const [missing, unmeasured] = await Promise.all([
      this.ds.query(
        `WITH m AS (${c.sql}) SELECT *, count(*) OVER () AS total FROM m WHERE weight IS NOT NULL AND covered < weight${search}
         ORDER BY district_name NULLS FIRST, unit_name, member_name, member_id LIMIT $${n + 1} OFFSET $${n + 2}`,
        params,
      ) as Promise<MemberRow[]>,
      def.population.entity === 'staff'
        ? (this.ds.query(`WITH m AS (${c.sql}) SELECT *, count(*) OVER () AS total FROM m WHERE weight IS NULL${search} ORDER BY member_name, member_id LIMIT $${n + 1} OFFSET $${n + 2}`, params) as Promise<MemberRow[]>)
        : Promise.resolve([] as MemberRow[]),
    ]);
    const year = where.asOf.slice(0, 4);
    return {
      missing: { total: Number(missing[0]?.total ?? 0), items: missing.map((r) => this.missingMember(r, def, c.leaves)) },
      unmeasured: {
        total: Number(unmeasured[0]?.total ?? 0),
        items: unmeasured.map((r) => ({
          id: r.member_id,
          name: r.member_name,
          code: r.member_code,
          reason: { vi: `chưa có số liệu biên chế năm ${year}`, en: `no staffing figure for ${year}` },
        })),
      },
    };
  }

  private missingMember(r: MemberRow, def: IndicatorDefinition, leaves: LeafColumn[]): MissingMember {
    const base = { id: r.member_id, name: r.member_name, code: r.member_code, unit: r.unit_name, district: r.district_name };
    if (def.population.entity === 'staff') {
      const short = Number(r.weight) - Number(r.covered);
      return {
        ...base,
        short,
        reasons: [{ vi: `${short}/${Number(r.weight)} CBCC chưa có máy tính đang hoạt động`, en: `${short} of ${Number(r.weight)} staff without a working computer` }],
      };
    }
    if (r.has_agency === false) {
      return { ...base, reasons: [{ vi: 'chưa đăng ký cơ quan (UBND) của đơn vị hành chính này', en: 'no agency of the kinds counted is registered in this unit' }] };
    }
    const reasons = explain(def.criterion!, r, leaves);
    return {
      ...base,
      reasons: reasons.length ? reasons : [{ vi: 'không có cơ quan nào đáp ứng đồng thời mọi tiêu chí', en: 'no single agency meets every part of the criterion' }],
    };
  }
}

/** The leaves that keep a member from counting: for `all`, the failing parts; for `any`, every part. */
function explain(c: Criterion, row: Record<string, unknown>, leaves: LeafColumn[]): Label[] {
  let next = 0;
  const walk = (x: Criterion): { ok: boolean; why: Label[] } => {
    if ('all' in x || 'any' in x) {
      const parts = ('all' in x ? x.all : x.any).map(walk);
      const ok = 'all' in x ? parts.every((p) => p.ok) : parts.some((p) => p.ok);
      return { ok, why: ok ? [] : parts.filter((p) => !p.ok).flatMap((p) => p.why) };
    }
    const i = next++;
    const ok = row[`leaf_${i}`] === true;
    const leaf = leaves[i];
    if (ok) return { ok, why: [] };
    // A complete-LAN leaf says whether there is no LAN at all or one not joining every department.
    if (leaf.partial && row[`partial_${i}`] !== true) return { ok, why: [leaf.partial] };
    return { ok, why: [leaf.label] };
  };
  return walk(c).why;
}

/** Figures and breakdown from the groups of one date (lists empty, their totals known). */
export function measurementOf(groups: GroupFigure[]): Measurement {
  const sum = totalOf(groups);
  return {
    numerator: sum.numerator,
    denominator: sum.denominator,
    value: percent(sum.numerator, sum.denominator),
    breakdown: groups.map((g) => ({ districtId: g.districtId, numerator: g.numerator, denominator: g.denominator, value: percent(g.numerator, g.denominator) })),
    missing: { total: sum.missing, items: [] },
    unmeasured: { total: sum.unmeasured, items: [] },
  };
}
