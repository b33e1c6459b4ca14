import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AdministrativeUnit, Agency, AgencyStaffing, Device, Lan, WanLink } from '@app/inventory';
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

/**
 * Runs compiled indicators in the database: totals by district, the members that do not count
 * (with the reason of each), and, for staff indicators, the agencies with no staffing figure.
 * Nothing but those lists comes back into the process.
 */
@Injectable()
export class CoverageEngine {
  private readonly tables: InventoryTables;

  constructor(@InjectDataSource() private readonly ds: DataSource) {
    const name = (e: Parameters<DataSource['getMetadata']>[0]) => `"${ds.getMetadata(e).tableName}"`;
    // The inventory's own entity metadata names its tables; coverage only reads them.
    this.tables = { unit: name(AdministrativeUnit), agency: name(Agency), staffing: name(AgencyStaffing), device: name(Device), lan: name(Lan), wanLink: name(WanLink) };
  }

  /** Numerator and denominator only (for the years a trend is fitted to). */
  async value(def: IndicatorDefinition, where: Where): Promise<{ numerator: number; denominator: number; value: number | null }> {
    const c = compile(def, this.tables, { ...where, staffYear: Number(where.asOf.slice(0, 4)) });
    const [row] = (await this.ds.query(`WITH m AS (${c.sql}) SELECT coalesce(sum(covered), 0) AS num, coalesce(sum(weight), 0) AS den FROM m`, c.params)) as Array<{ num: number; den: number }>;
    const numerator = Number(row.num);
    const denominator = Number(row.den);
    return { numerator, denominator, value: percent(numerator, denominator) };
  }

  async measure(def: IndicatorDefinition, where: Where, missingLimit = 100): Promise<Measurement> {
    const c = compile(def, this.tables, { ...where, staffYear: Number(where.asOf.slice(0, 4)) });
    const limit = `$${c.params.length + 1}`;
    const [groups, missing, unmeasured] = await Promise.all([
      this.ds.query(
        `WITH m AS (${c.sql}) SELECT district_id, district_name, coalesce(sum(covered), 0) AS num, coalesce(sum(weight), 0) AS den
         FROM m GROUP BY district_id, district_name ORDER BY district_name NULLS FIRST`,
        c.params,
      ) as Promise<Array<{ district_id: string | null; district_name: string | null; num: number; den: number }>>,
      this.ds.query(
        `WITH m AS (${c.sql}) SELECT *, count(*) OVER () AS total FROM m WHERE weight IS NOT NULL AND covered < weight
         ORDER BY district_name NULLS FIRST, unit_name, member_name, member_id LIMIT ${limit}`,
        [...c.params, missingLimit],
      ) as Promise<MemberRow[]>,
      def.population.entity === 'staff'
        ? (this.ds.query(`WITH m AS (${c.sql}) SELECT *, count(*) OVER () AS total FROM m WHERE weight IS NULL ORDER BY member_name, member_id LIMIT ${limit}`, [
            ...c.params,
            missingLimit,
          ]) as Promise<MemberRow[]>)
        : Promise.resolve([] as MemberRow[]),
    ]);
    const breakdown = groups.map((g) => ({
      districtId: g.district_id,
      districtName: g.district_name,
      numerator: Number(g.num),
      denominator: Number(g.den),
      value: percent(Number(g.num), Number(g.den)),
    }));
    const numerator = breakdown.reduce((s, g) => s + g.numerator, 0);
    const denominator = breakdown.reduce((s, g) => s + g.denominator, 0);
    const year = where.asOf.slice(0, 4);
    return {
      numerator,
      denominator,
      value: percent(numerator, denominator),
      breakdown,
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
