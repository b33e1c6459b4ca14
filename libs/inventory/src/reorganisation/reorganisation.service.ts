import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Scope } from '../access/access';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import { parseDay } from '../shared/dates';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '../shared/inventory-error';

/** Where one agency of an old unit goes: a new commune's code, or the new province's own code. */
export interface AgencyDecision {
  agencyId: string;
  to: string;
}

/** Where one item goes (to the people's committee of the unit named): an old commune split between new ones. */
export interface EquipmentDecision {
  type: 'device' | 'lan' | 'wanLink';
  id: string;
  to: string;
}

export interface ApplyRequest {
  effectiveOn?: string;
  /** The new province's code, or `all`: every new province in one run (the whole country at once). */
  province: string;
  agencies?: AgencyDecision[];
  equipment?: EquipmentDecision[];
}

/** Per kind: moved to a new committee, gone with their agency into its new unit, waiting with their agency for a decision. */
type Counts = Record<'devices' | 'lans' | 'wanLinks', { moved: number; withAgency: number; waiting: number }>;

export interface ApplyOutcome {
  /** The run's id, to revert it (null for a dry run). */
  runId: string | null;
  dryRun: boolean;
  effectiveOn: string;
  /** The new province, or every one (`province: all`). */
  provinces: Array<{ code: string; name: string }>;
  agencies: {
    /** People's committees of old units that ended, their equipment handed to the new unit's committee. */
    committeesEnded: number;
    /** Committees begun for new units that had none. */
    committeesBegun: number;
    /** Other agencies carried into their new unit (the same agency, its previous unit kept on it). */
    carried: number;
    /** Agencies of old units waiting for a person (split or unmapped commune, dissolved district). */
    waiting: number;
  };
  equipment: Counts;
  /** Workstations whose staff position gained the old unit's name, as two old units' positions met in one agency. */
  positionsRenamed: number;
  /** New committees whose staffing is still to be entered. */
  staffingToEnter: number;
  waitingAgencies: Array<{ id: string; name: string; kind: string; unit: string; reason: 'split' | 'unmapped' | 'district_level' }>;
}

export interface RunView {
  id: string;
  effectiveOn: string;
  provinceCodes: string[];
  summary: Record<string, unknown>;
  appliedBy: string;
  appliedAt: string;
  revertedBy: string | null;
  revertedAt: string | null;
}

const COMMITTEES = ['commune_committee', 'district_committee', 'provincial_committee'];
const TABLE = { device: 'device', lan: 'lan', wanLink: 'wan_link' } as const;
const ENTITY: Record<string, keyof Counts> = { device: 'devices', lan: 'lans', wan_link: 'wanLinks' };
/**
 * An agency of an old unit `ra` is done with: a committee when none of its items still waits for a
 * place (it ends with its unit either way), any other agency when it has a place to be carried to.
 */
const ENDS = `CASE WHEN ra.committee THEN NOT ra.waits ELSE ra.target IS NOT NULL END`;
/** Postgres advisory lock key: one application or revert at a time. */
const LOCK_KEY = 0x4861_5247; // "HaRG"

class DryRun extends Error {
  constructor(readonly outcome: ApplyOutcome) {
    super('dry run');
  }
}

/**
 * Carries a new province's inventory across the reorganisation, from the mapping as it stands
 * (proposed and confirmed names; open ones wait): in one transaction, audited, and revertible.
 *
 * - An old unit's people's committee ends with it; its equipment goes to the committee of the new
 *   unit (begun by the run where the new commune has none).
 * - Any other agency of an old commune that went whole into one new commune, and every agency of
 *   an old province, is carried into the new unit: the same agency (a school of an old commune is
 *   the same school in the new one), its previous unit and the day kept on it, its equipment and
 *   staffing with it.
 * - Agencies of split or unmapped communes and of dissolved districts wait for a person's decision
 *   (`agencies`, `equipment`), and stay where they are until one is given: a later run carries them.
 * - An ended committee's equipment all goes to its successor, retired items too (the records of
 *   the assets handed over; out of service, they count nowhere after their retirement), so an
 *   ended committee holds nothing. Moved equipment keeps its former place (on its row, older ones
 *   in equipment_placement), so coverage of any earlier day counts it there.
 */
@Injectable()
export class ReorganisationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async apply(req: ApplyRequest, ctx: ChangeContext, options: { dryRun?: boolean } = {}): Promise<ApplyOutcome> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('The reorganisation spans provinces: applying it needs a token scoped to the whole country');
    const effectiveOn = parseDay(req.effectiveOn ?? '2025-07-01');
    const problems: FieldProblem[] = [];
    if (!effectiveOn) problems.push({ field: 'effectiveOn', message: 'effectiveOn must be a real date YYYY-MM-DD (2025-07-01)', value: req.effectiveOn });
    if (typeof req.province !== 'string' || !/^(\d{2}|all)$/.test(req.province)) problems.push({ field: 'province', message: 'province is the new province\'s 2-digit code, or all', value: req.province });
    const agencies = req.agencies ?? [];
    const equipment = req.equipment ?? [];
    if (!Array.isArray(agencies)) problems.push({ field: 'agencies', message: 'agencies is a list of { agencyId, to }' });
    if (!Array.isArray(equipment)) problems.push({ field: 'equipment', message: 'equipment is a list of { type, id, to }' });
    if (problems.length) throw InventoryError.invalid('The reorganisation cannot be applied', problems);
    try {
      return await this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock($1)`, [LOCK_KEY]);
        const outcome = await this.run(m, effectiveOn!, req.province, agencies, equipment, ctx, !!options.dryRun);
        if (options.dryRun) throw new DryRun(outcome);
        return outcome;
      });
    } catch (err) {
      if (err instanceof DryRun) return err.outcome;
      throw err;
    }
  }

  private async run(m: EntityManager, effectiveOn: string, provinceCode: string, agencyDecisions: AgencyDecision[], equipmentDecisions: EquipmentDecision[], ctx: ChangeContext, dryRun: boolean): Promise<ApplyOutcome> {
    const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => m.query(sql, params);
    const provinces = await q<{ id: string; code: string; name: string; path: string }>(
      `SELECT id, code, name, path FROM administrative_unit
        WHERE level = 'province' AND ($2 = 'all' OR code = $2) AND (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to > $1) ORDER BY code`,
      [effectiveOn, provinceCode],
    );
    if (!provinces.length) throw InventoryError.notFound(`province valid on ${effectiveOn} with code`, provinceCode);
    const label = provinces.length === 1 ? provinces[0].name : `${provinces.length} provinces`;
    const E = [effectiveOn];
    // The new units (the provinces and their communes of the day), and the new commune(s) each old unit went into.
    await m.query(
      `CREATE TEMP TABLE r_new ON COMMIT DROP AS SELECT u.id, u.code, u.name, u.level, u.valid_from = $1 AS begun, COALESCE(u.parent_id, u.id) AS province_id FROM administrative_unit u
        WHERE (u.id = ANY($2::uuid[]) OR u.parent_id = ANY($2::uuid[])) AND (u.valid_from IS NULL OR u.valid_from <= $1) AND (u.valid_to IS NULL OR u.valid_to > $1)`,
      [effectiveOn, provinces.map((p) => p.id)],
    );
    await m.query(
      `CREATE TEMP TABLE r_target ON COMMIT DROP AS SELECT s.old_unit_id, array_agg(DISTINCT s.new_unit_id) AS units
         FROM unit_succession s JOIN r_new n ON n.id = s.new_unit_id AND n.level = 'commune' WHERE s.effective_on = $1 AND s.old_unit_id IS NOT NULL GROUP BY s.old_unit_id`,
      E,
    );
    // The old provinces the mapping names, each with the new province most of its communes went into,
    // and their units that ended on the day.
    await m.query(
      `CREATE TEMP TABLE r_ended ON COMMIT DROP AS
        WITH oldp AS (SELECT DISTINCT ON (p.id) p.path, n.province_id FROM r_target t JOIN administrative_unit o ON o.id = t.old_unit_id
                        JOIN administrative_unit p ON p.id = split_part(o.path, '/', 2)::uuid JOIN r_new n ON n.id = t.units[1]
                       GROUP BY p.id, p.path, n.province_id ORDER BY p.id, count(*) DESC)
        SELECT u.id, u.name, u.level, oldp.province_id AS new_province FROM administrative_unit u JOIN oldp ON u.path LIKE oldp.path || '%' WHERE u.valid_to = $1`,
      E,
    );
    // Decisions: every agency and item named must be one the run can place, every unit one of the new province's.
    const problems: FieldProblem[] = [];
    const units = new Map((await q<{ id: string; code: string; level: string }>(`SELECT id, code, level FROM r_new`)).map((u) => [u.code, u]));
    const unitOf = (to: unknown, field: string): string | null => {
      const u = typeof to === 'string' ? units.get(to) : undefined;
      if (!u) problems.push({ field, message: `to is the code of a commune of ${label} on ${effectiveOn}, or ${provinces.length === 1 ? provinces[0].code : 'a province\'s code'} for the province itself`, value: to });
      return u?.id ?? null;
    };
    const agencyRows = agencyDecisions.map((d, i) => ({ agencyId: typeof d?.agencyId === 'string' ? d.agencyId : '', unitId: unitOf(d?.to, `agencies[${i}].to`), i }));
    const equipmentRows = equipmentDecisions.map((d, i) => {
      if (!d || !(d.type in TABLE)) problems.push({ field: `equipment[${i}].type`, message: 'type is device, lan or wanLink', value: d?.type });
      return { type: TABLE[d?.type as keyof typeof TABLE] ?? 'device', id: typeof d?.id === 'string' ? d.id : '', unitId: unitOf(d?.to, `equipment[${i}].to`), i };
    });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    agencyRows.forEach((r) => !uuid.test(r.agencyId) && problems.push({ field: `agencies[${r.i}].agencyId`, message: 'agencyId must be a UUID', value: r.agencyId }));
    equipmentRows.forEach((r) => !uuid.test(r.id) && problems.push({ field: `equipment[${r.i}].id`, message: 'id must be a UUID', value: r.id }));
    if (problems.length) throw InventoryError.invalid('Nothing was applied: decisions have problems', problems);

    // Each agency of an ended unit not carried yet, with where it goes (null: it waits for a person).
    await m.query(
      `CREATE TEMP TABLE r_agency ON COMMIT DROP AS
        SELECT a.id, a.kind IN (${COMMITTEES.map((k) => `'${k}'`).join(', ')}) AS committee, e.name AS unit_name, a.name, a.kind,
               COALESCE(dec.unit_id, CASE WHEN e.level = 'province' THEN e.new_province WHEN e.level = 'commune' AND cardinality(t.units) = 1 THEN t.units[1] END) AS target,
               CASE WHEN e.level = 'district' THEN 'district_level' WHEN e.level = 'commune' AND t.units IS NULL THEN 'unmapped' WHEN cardinality(t.units) > 1 THEN 'split' END AS reason,
               NULL::uuid AS target_committee, false AS waits
          FROM agency a JOIN r_ended e ON e.id = a.administrative_unit_id LEFT JOIN r_target t ON t.old_unit_id = e.id
          LEFT JOIN unnest($1::uuid[], $2::uuid[]) AS dec(agency_id, unit_id) ON dec.agency_id = a.id
         WHERE a.valid_to IS NULL`,
      [agencyRows.map((r) => r.agencyId), agencyRows.map((r) => r.unitId)],
    );
    await m.query(`ANALYZE r_agency`);
    const known = new Set((await q<{ id: string }>(`SELECT id FROM r_agency WHERE id = ANY($1::uuid[])`, [agencyRows.map((r) => r.agencyId)])).map((r) => r.id));
    agencyRows.forEach((r) => !known.has(r.agencyId) && problems.push({ field: `agencies[${r.i}].agencyId`, message: `no agency ${r.agencyId} of an old unit of ${label} is waiting to be carried`, value: r.agencyId }));

    // Committees of the new units: those there, then one begun for each unit begun on the day that has none.
    const committeeKind = `CASE WHEN n.level = 'province' THEN 'provincial_committee' ELSE 'commune_committee' END`;
    const toBegin = await q<{ unit: string; name: string; kind: string }>(
      `SELECT n.id AS unit, 'Ủy ban nhân dân ' || n.name AS name, ${committeeKind} AS kind FROM r_new n
        WHERE n.begun AND NOT EXISTS (SELECT 1 FROM agency a WHERE a.administrative_unit_id = n.id AND a.kind = ${committeeKind} AND a.valid_to IS NULL)`,
    );
    const begun: Array<{ id: string }> = toBegin.length
      ? await q(
          `INSERT INTO agency (name, kind, sector, administrative_unit_id, valid_from) SELECT x.name, x.kind, 'general', x.unit, $1 FROM unnest($2::text[], $3::text[], $4::uuid[]) AS x(name, kind, unit) RETURNING id`,
          [effectiveOn, toBegin.map((c) => c.name), toBegin.map((c) => c.kind), toBegin.map((c) => c.unit)],
        )
      : [];
    await m.query(
      `CREATE TEMP TABLE r_committee ON COMMIT DROP AS SELECT DISTINCT ON (n.id) n.id AS unit_id, a.id AS agency_id FROM r_new n
         JOIN agency a ON a.administrative_unit_id = n.id AND a.kind = ${committeeKind} AND a.valid_to IS NULL ORDER BY n.id, a.valid_from NULLS FIRST, a.created_at`,
    );
    await m.query(`UPDATE r_agency ra SET target_committee = c.agency_id FROM r_committee c WHERE c.unit_id = ra.target AND ra.committee`);

    // Where each item goes: an item's own decision; else a committee's to the new unit's committee;
    // else with its agency (carried, or waiting for a decision).
    await m.query(
      `CREATE TEMP TABLE r_move ON COMMIT DROP AS
        WITH items AS (${['device', 'lan', 'wan_link']
          .map((t) => `SELECT '${t}'::text AS entity_type, x.id, x.agency_id, x.placed_on, ${t === 'device' ? "x.kind = 'workstation' AND x.staff_position IS NOT NULL AND x.status <> 'retired'" : 'false'} AS positioned,
                          ${t === 'device' ? 'x.staff_position' : 'NULL::varchar'} AS staff_position, x.previous_agency_id, x.previous_from, x.previous_run_id,
                          ${t === 'device' ? 'x.previous_staff_position' : 'NULL::varchar'} AS previous_staff_position
                        FROM ${t} x JOIN r_agency ra ON ra.id = x.agency_id
                       WHERE x.placed_on IS NULL OR x.placed_on < $1`)
          .join(' UNION ALL ')})
        SELECT i.*, i.agency_id AS from_agency, ra.unit_name,
               CASE WHEN dec.unit_id IS NOT NULL THEN dc.agency_id WHEN ra.committee THEN ra.target_committee END AS to_agency,
               CASE WHEN dec.unit_id IS NOT NULL OR ra.committee THEN CASE WHEN COALESCE(dc.agency_id, ra.target_committee) IS NULL THEN 'waits' ELSE 'moves' END
                    WHEN ra.target IS NULL THEN 'waits' ELSE 'with_agency' END AS fate,
               dec.unit_id IS NOT NULL AS decided
          FROM items i JOIN r_agency ra ON ra.id = i.agency_id
          LEFT JOIN unnest($2::text[], $3::uuid[], $4::uuid[]) AS dec(entity_type, id, unit_id) ON dec.entity_type = i.entity_type AND dec.id = i.id
          LEFT JOIN r_committee dc ON dc.unit_id = dec.unit_id`,
      [effectiveOn, equipmentRows.map((r) => r.type), equipmentRows.map((r) => r.id), equipmentRows.map((r) => r.unitId)],
    );
    const decided = new Set((await q<{ k: string }>(`SELECT entity_type || '/' || id AS k FROM r_move WHERE decided`)).map((r) => r.k));
    equipmentRows.forEach((r) => !decided.has(`${r.type}/${r.id}`) && problems.push({ field: `equipment[${r.i}].id`, message: `no ${r.type} ${r.id} of an agency of an old unit of ${label} is waiting to be placed`, value: r.id }));
    if (problems.length) throw InventoryError.invalid('Nothing was applied: decisions have problems', problems);

    await m.query(`ANALYZE r_move`);
    await m.query(`UPDATE r_agency ra SET waits = true WHERE ra.id IN (SELECT mv.from_agency FROM r_move mv WHERE mv.fate = 'waits')`);
    // Carried agencies: the same row in its new unit, the unit it was in and the day kept on it.
    const carried = await q<{ id: string; unit: string; target: string }>(
      `WITH x AS (UPDATE agency a SET previous_unit_id = a.administrative_unit_id, unit_since = $1, administrative_unit_id = ra.target
                    FROM r_agency ra WHERE ra.id = a.id AND ra.target IS NOT NULL AND NOT ra.committee RETURNING a.id, a.previous_unit_id AS unit, a.administrative_unit_id AS target)
       SELECT * FROM x`,
      E,
    );
    const ended = await q<{ id: string }>(
      `WITH x AS (UPDATE agency a SET valid_to = $1 FROM r_agency ra
                   WHERE ra.id = a.id AND ra.committee AND NOT ra.waits RETURNING a.id)
       SELECT id FROM x`,
      E,
    );
    // Workstations meeting in one agency from two places keep their positions apart with the old unit's name.
    await m.query(`ALTER TABLE r_move ADD COLUMN new_position varchar(200)`);
    await m.query(
      `UPDATE r_move mv SET new_position = left(mv.staff_position || ' (' || mv.unit_name || ')', 200)
        WHERE mv.positioned AND mv.fate = 'moves' AND mv.to_agency IN (SELECT m2.to_agency FROM r_move m2 WHERE m2.positioned AND m2.fate = 'moves' GROUP BY m2.to_agency
                                                  HAVING count(DISTINCT m2.from_agency) > 1
                                                      OR EXISTS (SELECT 1 FROM device d WHERE d.agency_id = m2.to_agency AND d.kind = 'workstation' AND d.staff_position IS NOT NULL AND d.status <> 'retired'))`,
    );
    const [{ renamed }] = await q<{ renamed: number }>(`SELECT count(*)::int AS renamed FROM r_move WHERE new_position IS NOT NULL`);

    const [run] = await q<{ id: string }>(
      `INSERT INTO reorganisation_run (effective_on, province_codes, summary, ended_agencies, created_agencies, carried_agencies, applied_by)
       VALUES ($1, $2, '{}', $3::uuid[], $4::uuid[], $5::uuid[], $6) RETURNING id`,
      [effectiveOn, provinces.map((p) => p.code), ended.map((r) => r.id), begun.map((r) => r.id), carried.map((r) => r.id), ctx.actor],
    );
    // Each moved row once: its place becomes its previous place, the new one its place from the day.
    // An item that had a previous place already (moved before) keeps it in equipment_placement.
    await m.query(
      `INSERT INTO equipment_placement (entity_type, entity_id, agency_id, staff_position, valid_from, valid_to, run_id)
       SELECT mv.entity_type, mv.id, mv.previous_agency_id, mv.previous_staff_position, mv.previous_from, mv.placed_on, mv.previous_run_id
         FROM r_move mv WHERE mv.fate = 'moves' AND mv.previous_agency_id IS NOT NULL`,
    );
    for (const t of ['device', 'lan', 'wan_link']) {
      await m.query(
        `UPDATE ${t} x SET previous_agency_id = x.agency_id, previous_from = x.placed_on, previous_run_id = $2, agency_id = mv.to_agency, placed_on = $1${
          t === 'device' ? ', previous_staff_position = x.staff_position, staff_position = COALESCE(mv.new_position, x.staff_position)' : ''
        }
           FROM r_move mv WHERE mv.entity_type = '${t}' AND mv.id = x.id AND mv.fate = 'moves'`,
        [effectiveOn, run.id],
      );
    }

    const moves = await q<{ entityType: string; moved: number; withAgency: number; waiting: number }>(
      `SELECT entity_type AS "entityType", count(*) FILTER (WHERE fate = 'moves')::int AS moved, count(*) FILTER (WHERE fate = 'with_agency')::int AS "withAgency",
              count(*) FILTER (WHERE fate = 'waits')::int AS waiting FROM r_move GROUP BY 1`,
    );
    const counts: Counts = { devices: { moved: 0, withAgency: 0, waiting: 0 }, lans: { moved: 0, withAgency: 0, waiting: 0 }, wanLinks: { moved: 0, withAgency: 0, waiting: 0 } };
    for (const r of moves) counts[ENTITY[r.entityType]] = { moved: r.moved, withAgency: r.withAgency, waiting: r.waiting };
    const waiting = await q<{ id: string; name: string; kind: string; unit: string; reason: 'split' | 'unmapped' | 'district_level' }>(
      `SELECT ra.id, ra.name, ra.kind, ra.unit_name AS unit, COALESCE(ra.reason, 'unmapped') AS reason FROM r_agency ra WHERE NOT (${ENDS}) ORDER BY ra.unit_name, ra.name`,
    );
    const [{ committeesEnded }] = await q<{ committeesEnded: number }>(`SELECT count(*)::int AS "committeesEnded" FROM r_agency ra WHERE ra.committee AND ra.id = ANY($1::uuid[])`, [ended.map((r) => r.id)]);
    const outcome: ApplyOutcome = {
      runId: dryRun ? null : run.id,
      dryRun,
      effectiveOn,
      provinces: provinces.map((p) => ({ code: p.code, name: p.name })),
      agencies: { committeesEnded, committeesBegun: begun.length, carried: carried.length, waiting: waiting.length },
      equipment: counts,
      positionsRenamed: renamed,
      staffingToEnter: begun.length,
      waitingAgencies: waiting.slice(0, 200),
    };
    const { waitingAgencies: _, ...summary } = outcome;
    await m.query(`UPDATE reorganisation_run SET summary = $2 WHERE id = $1`, [run.id, JSON.stringify({ ...summary, runId: run.id })]);
    await this.audit.record(m, ctx, [
      { action: 'create', entityType: 'reorganisation_run', entityId: run.id, before: null, after: { ...summary, runId: run.id, agencyDecisions, equipmentDecisions }, place: provinces.length === 1 ? provinces[0].path : '/' },
      ...ended.map((a) => ({ action: 'update' as const, entityType: 'agency', entityId: a.id, before: { validTo: null }, after: { validTo: effectiveOn, run: run.id } })),
      ...begun.map((r) => ({ action: 'create' as const, entityType: 'agency', entityId: r.id, before: null, after: { validFrom: effectiveOn, run: run.id } })),
      ...carried.map((r) => ({ action: 'update' as const, entityType: 'agency', entityId: r.id, before: { administrativeUnitId: r.unit }, after: { administrativeUnitId: r.target, previousUnitId: r.unit, unitSince: effectiveOn, run: run.id } })),
    ]);
    return outcome;
  }

  /**
   * Undoes a run: equipment goes back where it was (with its staff positions), carried agencies
   * back to their old units, the committees it began are removed, those it ended are current
   * again. Refused, naming what is in the way, when anything was since added to or moved from
   * what the run made (a person's work is never discarded).
   */
  async revert(id: string, ctx: ChangeContext): Promise<RunView> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('Reverting the reorganisation needs a token scoped to the whole country');
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [LOCK_KEY]);
      const [run] = (await m.query(
        `SELECT id, to_char(effective_on, 'YYYY-MM-DD') AS "effectiveOn", province_codes AS "provinceCodes", created_agencies::text[] AS created, ended_agencies::text[] AS ended, carried_agencies::text[] AS carried, reverted_at AS "revertedAt"
           FROM reorganisation_run WHERE id = $1 FOR UPDATE`,
        [id],
      )) as Array<{ id: string; effectiveOn: string; provinceCodes: string[]; created: string[]; ended: string[]; carried: string[]; revertedAt: Date | null }>;
      if (!run) throw InventoryError.notFound('reorganisation run', id);
      if (run.revertedAt) throw new InventoryError(InventoryErrorCode.Conflict, `Run ${id} was already reverted`);
      const [later] = (await m.query(
        `SELECT r.id FROM reorganisation_run r, reorganisation_run this WHERE this.id = $1 AND r.province_codes && this.province_codes AND r.reverted_at IS NULL AND r.applied_at > this.applied_at ORDER BY r.applied_at LIMIT 1`,
        [run.id],
      )) as Array<{ id: string }>;
      if (later) throw new InventoryError(InventoryErrorCode.Conflict, `Revert run ${later.id} first: it was applied to the same province after this one`);
      await m.query(`CREATE TEMP TABLE r_created ON COMMIT DROP AS SELECT unnest($1::uuid[]) AS id`, [run.created]);
      await m.query(`ANALYZE r_created`);
      const problems: FieldProblem[] = [];
      const inWay = (await m.query(
        `SELECT 'equipment' AS what, x.kind || ' ' || x.id AS name
           FROM (SELECT 'device' AS kind, id, agency_id, previous_run_id FROM device UNION ALL SELECT 'lan', id, agency_id, previous_run_id FROM lan UNION ALL SELECT 'wanLink', id, agency_id, previous_run_id FROM wan_link) x
           JOIN r_created c ON c.id = x.agency_id WHERE x.previous_run_id IS DISTINCT FROM $1
         UNION ALL SELECT 'moved since', p.entity_type || ' ' || p.entity_id FROM equipment_placement p WHERE p.run_id = $1
         UNION ALL SELECT 'agency', a.name FROM agency a JOIN r_created c ON c.id = a.parent_id WHERE a.id NOT IN (SELECT id FROM r_created)
         LIMIT 100`,
        [run.id],
      )) as Array<{ what: string; name: string }>;
      for (const r of inWay) problems.push({ field: r.what, message: r.what === 'agency' ? `${r.name} was since placed under an agency this run created` : r.what === 'equipment' ? `${r.name} was since registered at an agency this run created` : `${r.name} was moved again since`, value: r.name });
      const staffing = (await m.query(`SELECT s.agency_id AS "agencyId", s.year FROM agency_staffing s JOIN r_created c ON c.id = s.agency_id`)) as Array<{ agencyId: string; year: number }>;
      for (const s of staffing) problems.push({ field: 'staffing', message: `staffing of ${s.year} was since entered for agency ${s.agencyId}, which this run created`, value: s.year });
      if (problems.length) throw new InventoryError(InventoryErrorCode.Conflict, `Run ${id} cannot be reverted: ${problems.length} thing(s) were since built on it`, problems);
      // Each item back at its previous place; the place before that (if it had one) becomes its previous again.
      let moved = 0;
      for (const t of ['device', 'lan', 'wan_link']) {
        await m.query(
          `CREATE TEMP TABLE r_pop ON COMMIT DROP AS SELECT DISTINCT ON (p.entity_id) p.* FROM equipment_placement p JOIN ${t} x ON x.id = p.entity_id
            WHERE p.entity_type = '${t}' AND x.previous_run_id = $1 ORDER BY p.entity_id, p.valid_to DESC`,
          [run.id],
        );
        const [{ n }] = (await m.query(
          `WITH x AS (UPDATE ${t} x SET agency_id = x.previous_agency_id, placed_on = x.previous_from,
                        ${t === 'device' ? 'staff_position = x.previous_staff_position, previous_staff_position = pop.staff_position, ' : ''}
                        previous_agency_id = pop.agency_id, previous_from = pop.valid_from, previous_run_id = pop.run_id
                        FROM ${t} y LEFT JOIN r_pop pop ON pop.entity_id = y.id WHERE y.id = x.id AND x.previous_run_id = $1 RETURNING 1)
           SELECT count(*)::int AS n FROM x`,
          [run.id],
        )) as Array<{ n: number }>;
        moved += n;
        await m.query(`DELETE FROM equipment_placement WHERE id IN (SELECT id FROM r_pop)`);
        await m.query(`DROP TABLE r_pop`);
      }
      await m.query(
        `UPDATE agency SET administrative_unit_id = previous_unit_id, previous_unit_id = NULL, unit_since = NULL WHERE id = ANY($1::uuid[]) AND unit_since = $2 AND previous_unit_id IS NOT NULL`,
        [run.carried, run.effectiveOn],
      );
      await m.query(`UPDATE agency SET parent_id = NULL WHERE id = ANY($1::uuid[])`, [run.created]);
      try {
        await m.query(`DELETE FROM agency WHERE id = ANY($1::uuid[])`, [run.created]);
      } catch (err) {
        // Something else refers to an agency the run created (an account, an alert rule): name it, change nothing.
        throw new InventoryError(InventoryErrorCode.Conflict, `Run ${id} cannot be reverted: an agency it created is in use (${(err as { detail?: string }).detail ?? (err as Error).message})`);
      }
      await m.query(`UPDATE agency SET valid_to = NULL WHERE id = ANY($1::uuid[]) AND valid_to = $2`, [run.ended, run.effectiveOn]);
      await m.query(`UPDATE reorganisation_run SET reverted_by = $2, reverted_at = now() WHERE id = $1`, [run.id, ctx.actor]);
      await this.audit.record(m, ctx, [
        { action: 'update', entityType: 'reorganisation_run', entityId: run.id, before: { revertedAt: null }, after: { reverted: true, equipmentReturned: moved, agenciesRemoved: run.created.length, agenciesCurrentAgain: run.ended.length, agenciesBack: run.carried.length } },
        ...run.carried.map((a) => ({ action: 'update' as const, entityType: 'agency', entityId: a, before: { unitSince: run.effectiveOn }, after: { unitSince: null, run: run.id } })),
        ...run.created.map((a) => ({ action: 'delete' as const, entityType: 'agency', entityId: a, before: { run: run.id }, after: null })),
        ...run.ended.map((a) => ({ action: 'update' as const, entityType: 'agency', entityId: a, before: { validTo: run.effectiveOn }, after: { validTo: null, run: run.id } })),
      ]);
      return this.view(run.id, m);
    });
  }

  async list(scope: Scope): Promise<RunView[]> {
    if (scope.kind !== 'country') throw InventoryError.forbidden('The reorganisation spans provinces: its runs are listed to tokens scoped to the whole country');
    const ids = (await this.ds.query(`SELECT id FROM reorganisation_run ORDER BY applied_at DESC LIMIT 500`)) as Array<{ id: string }>;
    return Promise.all(ids.map((r) => this.view(r.id)));
  }

  async get(id: string, scope: Scope): Promise<RunView> {
    if (scope.kind !== 'country') throw InventoryError.forbidden('The reorganisation spans provinces: its runs are shown to tokens scoped to the whole country');
    return this.view(id);
  }

  private async view(id: string, m: EntityManager = this.ds.manager): Promise<RunView> {
    const [r] = (await m.query(
      `SELECT id, to_char(effective_on, 'YYYY-MM-DD') AS "effectiveOn", province_codes AS "provinceCodes", summary, applied_by AS "appliedBy", applied_at AS "appliedAt", reverted_by AS "revertedBy", reverted_at AS "revertedAt"
         FROM reorganisation_run WHERE id = $1`,
      [id],
    )) as Array<Omit<RunView, 'appliedAt' | 'revertedAt'> & { appliedAt: Date; revertedAt: Date | null }>;
    if (!r) throw InventoryError.notFound('reorganisation run', id);
    return { ...r, appliedAt: new Date(r.appliedAt).toISOString(), revertedAt: r.revertedAt ? new Date(r.revertedAt).toISOString() : null };
  }
}
