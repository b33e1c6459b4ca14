import type { Label } from './labels';

export type TargetStatus = 'met' | 'on_track' | 'behind' | 'no_data';

export interface DistrictFigure {
  /** null: units directly under the province (province-level agencies, or communes since 2025). */
  districtId: string | null;
  /** Reports saved before the answer named its districts once (PlanCoverage.districts) carry the name here. */
  districtName?: string | null;
  numerator: number;
  denominator: number;
  value: number | null;
}

/** A member of the population that does not count yet, and why: the planner's work list. */
export interface MissingMember {
  id: string;
  name: string;
  code: string | null;
  unit: string;
  district: string | null;
  /** Staff indicators: staff of the agency without a working computer. */
  short?: number;
  reasons: Label[];
}

export interface Projection {
  method: 'linear_trend';
  /** The year-end values (and the value on the date asked) the trend was fitted to. */
  basis: Array<{ date: string; value: number }>;
  /** The value the trend reaches at the end of the target year; null with fewer than two points. */
  projectedValue: number | null;
}

export interface TargetCoverage {
  targetId: string;
  indicator: { id: string; code: string; labelVi: string; labelEn: string; kind: 'measured' | 'reported' };
  row: string | null;
  wordingVi: string;
  labelEn: string;
  year: number;
  /** The inventory date the figures are for. */
  asOf: string;
  numerator: number | null;
  denominator: number | null;
  /** Percent, two decimals; null when there is nothing to count or nothing reported. */
  value: number | null;
  target: number;
  /** How many more members must count to reach the target ("12 more communes"). */
  gap: { count: number; unit: Label; text: Label } | null;
  status: TargetStatus;
  projection: Projection | null;
  breakdown: DistrictFigure[];
  missing: { total: number; items: MissingMember[] };
  /** Staff indicators: agencies with no staffing figure for the year, left out of the ratio. */
  unmeasured: { total: number; items: Array<{ id: string; name: string; code: string | null; reason: Label }> };
  reported?: { source: string; updatedAt: string } | null;
  /** Why a figure could not be computed. */
  note?: string;
  /** What a planner reads when there is no figure: why, and what to do about it. */
  explanation?: Label;
}

export interface PlanCoverage {
  plan: {
    id: string;
    titleVi: string;
    titleEn: string | null;
    documentNumber: string | null;
    documentDate: string | null;
    periodFrom: number;
    periodTo: number;
    province: { id: string; code: string; name: string };
  };
  /** What was counted: the province, or the district the reader's token covers. */
  area: { id: string; name: string };
  /** The year asked, or null for the whole plan. */
  year: number | null;
  asOf: string | null;
  computedAt: string;
  /** The districts the breakdowns name, once (a breakdown names each by id). Absent from reports saved before. */
  districts?: Array<{ id: string; name: string }>;
  targets: TargetCoverage[];
}

/** One province's figure in the national overview. */
export interface ProvinceFigure {
  id: string;
  code: string;
  name: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  /** The province's own target for this indicator and year, from its latest plan with one. */
  target: number | null;
  planId: string | null;
  /** Against the province's own target; null where it has none. */
  status: TargetStatus | null;
  /** 1 for the highest value; provinces with equal values share a rank; none without a value. */
  rank: number | null;
}

export interface Overview {
  indicator: { id: string; code: string; labelVi: string; labelEn: string; kind: 'measured' | 'reported' };
  year: number;
  asOf: string;
  computedAt: string;
  /** Every province counted (one for a caller scoped to a province or below). */
  provinces: ProvinceFigure[];
  /** Where the time went: the passes run (dates counted, milliseconds) and the dates kept from before. */
  cost: { passes: Array<{ dates: number; ms: number; rows: number }>; cachedDates: number; ms: number };
}
