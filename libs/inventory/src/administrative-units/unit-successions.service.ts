import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import { parseDay } from '../shared/dates';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '../shared/inventory-error';
import { type NewCommune, type OldUnit, proposeSuccessions } from './successions';
import type { SuccessionStatus } from './unit-succession.entity';
import type { Scope } from '../access/access';
import { likeEscape } from '../shared/fold';

export interface ProposeOutcome {
  effectiveOn: string;
  /** New communes of the texts found among the units valid on effectiveOn. */
  communes: number;
  /** Texts whose commune is not a unit valid on effectiveOn (import the new list first). */
  unknownCommunes: string[];
  names: number;
  proposed: number;
  open: number;
  /** Confirmed by a person before: kept as they were. */
  keptConfirmed: number;
}

export interface SuccessionView {
  id: string;
  effectiveOn: string;
  newUnit: { id: string; code: string; name: string; province: string | null };
  itemIndex: number;
  itemText: string;
  status: SuccessionStatus;
  share: 'whole' | 'part';
  how: string;
  oldUnit: { id: string; code: string; name: string; district: string | null; province: string | null } | null;
  candidates: Array<{ id: string; code: string; name: string; district: string | null; province: string | null }>;
  confirmedBy: string | null;
  confirmedAt: string | null;
}

export interface SuccessionQuery {
  status?: SuccessionStatus;
  /** The new province's code. */
  province?: string;
  limit?: number;
  offset?: number;
}

/** What carrying one new province across the reorganisation would do: a dry run, read-only. */
export interface ReorganisationPlan {
  effectiveOn: string;
  province: { code: string; name: string };
  oldProvinces: Array<{ code: string; name: string }>;
  units: { ending: Record<'province' | 'district' | 'commune', number>; beginning: Record<'province' | 'commune', number> };
  agencies: {
    /** Old communes' people's committees, which end with their commune. */
    communeCommitteesEnding: number;
    /** New communes with no people's committee yet: one each is to begin. */
    communeCommitteesToBegin: number;
    /** Other agencies of an old commune that went whole into one new commune, and an old province's agencies: they move there. */
    moving: number;
    /** Of an old commune split between new communes: a person picks which. */
    split: number;
    /** Of an old commune no text names: a person picks where. */
    unmapped: number;
    /** Of a dissolved district (no district level any more): a person picks where. */
    districtLevel: number;
  };
  /** Equipment, LANs and WAN links of those agencies: going with their agency, or waiting for a decision. */
  equipment: Record<'devices' | 'lans' | 'wanLinks', { moving: number; waiting: number }>;
  /** Staffing figures the new committees need before coverage of their civil servants counts. */
  staffingToEnter: number;
  decisions: {
    openNames: number;
    openNameList: Array<{ id: string; newCommune: string; itemText: string; candidates: string[] }>;
    splitUnits: Array<{ oldCode: string; oldName: string; newCommunes: string[] }>;
    agenciesToPlace: Array<{ id: string; name: string; kind: string; unit: string; reason: 'split' | 'unmapped' | 'district_level' }>;
  };
}

/** How a proposal was reached, as the workbook's readers (the province's staff) read it. */
const HOW_VI: Record<string, string> = {
  'name and type': 'tên và loại',
  'name (another type)': 'tên (khác loại)',
  'name without diacritics and type': 'tên không dấu và loại',
  'name without diacritics (another type)': 'tên không dấu (khác loại)',
  'name without diacritics or spaces and type': 'tên không dấu, không khoảng trắng, và loại',
  'name without diacritics or spaces (another type)': 'tên không dấu, không khoảng trắng (khác loại)',
  'the district named': 'huyện ghi trong ngoặc',
  'a district the text names': 'huyện văn bản có nhắc',
  'the district of the other names': 'huyện của các tên khác trong văn bản',
  'the code the new commune kept': 'mã xã mới giữ lại',
  'no unit of this name': 'không có đơn vị tên này',
  'no unit of this name; names spelt nearly so': 'không có đơn vị tên này; các tên viết gần giống',
  'names spelt nearly so': 'các tên viết gần giống',
  'a name spelt nearly so': 'tên viết gần giống',
  'and the new commune kept its code': 'và xã mới giữ mã của nó',
  'chosen by a person': 'do người rà soát chọn',
};
export function howInVietnamese(how: string): string {
  return how
    .split(', ')
    .map((part) => HOW_VI[part] ?? part)
    .join(', ');
}

/** The old units are those of the day before the new ones came into force. */
function dayBeforeOf(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

const SHEET_COLUMNS = ['id', 'newProvince', 'newCode', 'newName', 'itemText', 'status', 'how', 'oldCode', 'oldName', 'candidates', 'share', 'confirm', 'confirmedBy'] as const;
const YES = new Set(['x', 'yes', 'có', 'co', 'true', '1', 'ok']);

/**
 * The 2025 reorganisation's mapping, in the database: proposed from the official texts against
 * the units as imported (the old list valid until the day before, the new one from that day),
 * reviewed by people through the API, the CLI or a workbook, each confirmation kept with who and when.
 */
@Injectable()
export class UnitSuccessionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** Proposes a row per name of each text; rows people confirmed are kept as they are. */
  async propose(texts: NewCommune[], effectiveOnText: string, ctx: ChangeContext, options: { dryRun?: boolean } = {}): Promise<ProposeOutcome> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('The reorganisation covers the whole country: proposing its mapping needs a token scoped to the whole country');
    const effectiveOn = parseDay(effectiveOnText);
    const problems: FieldProblem[] = [];
    if (!effectiveOn) problems.push({ field: 'effectiveOn', message: 'effectiveOn must be a real date YYYY-MM-DD (2025-07-01)', value: effectiveOnText });
    if (!Array.isArray(texts)) problems.push({ field: 'texts', message: 'send the texts as a JSON array of { code, fullName, provinceCode, before }' });
    else texts.forEach((t, i) => {
      if (!t || typeof t.code !== 'string' || !/^\d{5}$/.test(t.code)) problems.push({ field: `[${i}].code`, message: 'a new commune\'s code is 5 digits', value: t?.code });
      else if (t.before !== null && typeof t.before !== 'string') problems.push({ field: `[${i}].before`, message: 'before is the official text, or null', value: t.before });
      else if (typeof t.before === 'string' && t.before.length > 5000) problems.push({ field: `[${i}].before`, message: 'a text has at most 5,000 characters', value: t.before });
    });
    if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The texts cannot be read', problems);
    const dayBefore = dayBeforeOf(effectiveOn!);
    const outcome = await this.ds.transaction(async (m) => {
      const oldRows: Array<{ id: string; code: string; name: string; type: string; level: OldUnit['level']; parentCode: string | null }> = await m.query(
        `SELECT u.id, u.code, u.name, u.type, u.level, p.code AS "parentCode" FROM administrative_unit u LEFT JOIN administrative_unit p ON p.id = u.parent_id
          WHERE (u.valid_from IS NULL OR u.valid_from <= $1) AND (u.valid_to IS NULL OR u.valid_to > $1)`,
        [dayBefore],
      );
      const newRows: Array<{ id: string; code: string; province: string | null }> = await m.query(
        `SELECT u.id, u.code, p.code AS province FROM administrative_unit u LEFT JOIN administrative_unit p ON p.id = u.parent_id
          WHERE u.level = 'commune' AND u.valid_from = $1 AND u.code = ANY($2::text[])`,
        [effectiveOn, texts.map((t) => t.code)],
      );
      const newByCode = new Map(newRows.map((r) => [r.code, r]));
      const oldByCode = new Map(oldRows.map((r) => [r.code, r]));
      const known = texts.filter((t) => newByCode.has(t.code));
      // The province as imported (the unit's parent), whatever the text file says.
      const proposals = proposeSuccessions(oldRows, known.map((t) => ({ ...t, provinceCode: newByCode.get(t.code)!.province ?? t.provinceCode })));
      const confirmed: Array<{ newUnitId: string; itemIndex: number }> = await m.query(`SELECT new_unit_id AS "newUnitId", item_index AS "itemIndex" FROM unit_succession WHERE status = 'confirmed' AND effective_on = $1`, [effectiveOn]);
      const kept = new Set(confirmed.map((c) => `${c.newUnitId}|${c.itemIndex}`));
      const index = new Map<string, number>();
      const rows = proposals.flatMap((p) => {
        const unit = newByCode.get(p.newCode)!;
        const i = index.get(p.newCode) ?? 0;
        index.set(p.newCode, i + 1);
        if (kept.has(`${unit.id}|${i}`)) return [];
        return [{
          newUnitId: unit.id,
          itemIndex: i,
          itemText: p.item.text.slice(0, 500),
          oldUnitId: p.oldCode ? oldByCode.get(p.oldCode)!.id : null,
          candidates: p.candidates.map((c) => oldByCode.get(c)!.id),
          status: p.status === 'resolved' ? 'proposed' : 'open',
          share: p.share,
          how: p.how.slice(0, 200),
        }];
      });
      const outcome: ProposeOutcome = {
        effectiveOn: effectiveOn!,
        communes: known.length,
        unknownCommunes: texts.filter((t) => !newByCode.has(t.code)).map((t) => t.code).slice(0, 100),
        names: proposals.length,
        proposed: rows.filter((r) => r.status === 'proposed').length,
        open: rows.filter((r) => r.status === 'open').length,
        keptConfirmed: proposals.length - rows.length,
      };
      if (options.dryRun) return outcome;
      await m.query(`DELETE FROM unit_succession WHERE status <> 'confirmed' AND effective_on = $1 AND new_unit_id = ANY($2::uuid[])`, [effectiveOn, [...new Set(rows.map((r) => r.newUnitId))]]);
      for (let i = 0; i < rows.length; i += 2000) {
        const chunk = rows.slice(i, i + 2000);
        const col = <K extends keyof (typeof rows)[number]>(k: K) => chunk.map((r) => r[k]);
        await m.query(
          `INSERT INTO unit_succession (effective_on, new_unit_id, item_index, item_text, old_unit_id, candidates, status, share, how)
           SELECT $1, x.new_unit_id, x.item_index, x.item_text, x.old_unit_id, ARRAY(SELECT jsonb_array_elements_text(x.candidates)::uuid), x.status, x.share, x.how
             FROM unnest($2::uuid[], $3::int[], $4::text[], $5::uuid[], $6::jsonb[], $7::text[], $8::text[], $9::text[]) AS x(new_unit_id, item_index, item_text, old_unit_id, candidates, status, share, how)`,
          [effectiveOn, col('newUnitId'), col('itemIndex'), col('itemText'), col('oldUnitId'), chunk.map((r) => JSON.stringify(r.candidates)), col('status'), col('share'), col('how')],
        );
      }
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'unit_succession', entityId: `proposal/${effectiveOn}`, before: null, after: { ...outcome }, place: '/' }]);
      return outcome;
    });
    // The plan and the apply read these rows next, with the units the list just versioned: fresh
    // statistics at once (the country's plan took 60 s on the ones from before the import, 12 s after).
    if (!options.dryRun && outcome.names > 1000) await this.ds.query('ANALYZE unit_succession, administrative_unit');
    return outcome;
  }

  async list(q: SuccessionQuery, scope: Scope): Promise<{ items: SuccessionView[]; total: number; counts: Record<SuccessionStatus, number> }> {
    // A scoped reader sees the names whose new commune or old unit lies within its scope.
    const within = scope.kind === 'country' ? null : `${likeEscape(scope.path)}%`;
    const params: unknown[] = [q.status ?? null, q.province ?? null, within];
    const place = (n: number) => `($${n}::text IS NULL OR n.path LIKE $${n} ESCAPE '\\' OR o.path LIKE $${n} ESCAPE '\\')`;
    const where = `($1::text IS NULL OR s.status = $1) AND ($2::text IS NULL OR np.code = $2) AND ${place(3)}`;
    const from = `FROM unit_succession s JOIN administrative_unit n ON n.id = s.new_unit_id LEFT JOIN administrative_unit np ON np.id = n.parent_id LEFT JOIN administrative_unit o ON o.id = s.old_unit_id`;
    const [{ total }] = (await this.ds.query(`SELECT count(*)::int AS total ${from} WHERE ${where}`, params)) as Array<{ total: number }>;
    const counts = Object.fromEntries(
      ((await this.ds.query(`SELECT s.status, count(*)::int AS n ${from} WHERE ($1::text IS NULL OR np.code = $1) AND ${place(2)} GROUP BY 1`, [q.province ?? null, within])) as Array<{ status: SuccessionStatus; n: number }>).map((r) => [r.status, r.n]),
    );
    const ids: Array<{ id: string }> = await this.ds.query(
      `SELECT s.id ${from} WHERE ${where} ORDER BY np.code NULLS FIRST, n.code, s.item_index LIMIT $4 OFFSET $5`,
      [...params, Math.min(q.limit ?? 100, 100_000), q.offset ?? 0],
    );
    return { items: await this.views(ids.map((r) => r.id)), total, counts: { proposed: counts.proposed ?? 0, open: counts.open ?? 0, confirmed: counts.confirmed ?? 0 } };
  }

  async get(id: string, scope: Scope, m: EntityManager = this.ds.manager): Promise<SuccessionView> {
    const [view] = await this.views([id], m);
    const paths: Array<{ path: string }> = view ? await m.query(`SELECT path FROM administrative_unit WHERE id = ANY($1::uuid[])`, [[view.newUnit.id, ...(view.oldUnit ? [view.oldUnit.id] : [])]]) : [];
    if (!view || (scope.kind !== 'country' && !paths.some((p) => p.path.startsWith(scope.path)))) throw InventoryError.notFound('succession', id);
    return view;
  }

  /**
   * A person's decision on one name: the old unit it names (by id or code, among the units valid
   * the day before), or the proposal confirmed as it is; `share` when they know the unit was split.
   */
  async review(id: string, body: { oldUnitId?: string; oldCode?: string; share?: 'whole' | 'part' }, ctx: ChangeContext, m?: EntityManager): Promise<SuccessionView> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('Reviewing the reorganisation\'s mapping needs a token scoped to the whole country');
    const run = async (tx: EntityManager) => {
      await tx.query(`SELECT 1 FROM unit_succession WHERE id = $1 FOR UPDATE`, [id]);
      const before = await this.get(id, ctx.scope, tx);
      const oldUnitId = await this.oldUnitOf(tx, before.effectiveOn, body, before.oldUnit?.id ?? null);
      await tx.query(
        `UPDATE unit_succession SET old_unit_id = $2, status = 'confirmed', share = COALESCE($3, share), how = CASE WHEN $2 IS DISTINCT FROM old_unit_id THEN 'chosen by a person' ELSE how END,
                confirmed_by = $4, confirmed_at = now() WHERE id = $1`,
        [id, oldUnitId, body.share ?? null, ctx.actor],
      );
      const after = await this.get(id, ctx.scope, tx);
      await this.audit.record(tx, ctx, [{ action: 'update', entityType: 'unit_succession', entityId: id, before: { ...before }, after: { ...after }, place: '/' }]);
      return after;
    };
    return m ? run(m) : this.ds.transaction(run);
  }

  private async oldUnitOf(m: EntityManager, effectiveOn: string, body: { oldUnitId?: string; oldCode?: string }, current: string | null): Promise<string> {
    const dayBefore = dayBeforeOf(effectiveOn);
    if (!body.oldUnitId && !body.oldCode) {
      if (!current) throw InventoryError.invalid('Which old unit?', [{ field: 'oldCode', message: 'this name has no proposal to confirm: give oldCode (or oldUnitId), one of its candidates or any unit of the day before' }]);
      return current;
    }
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id FROM administrative_unit WHERE ($1::uuid IS NULL OR id = $1) AND ($2::text IS NULL OR code = $2) AND level <> 'province'
          AND (valid_from IS NULL OR valid_from <= $3) AND (valid_to IS NULL OR valid_to > $3)`,
      [body.oldUnitId ?? null, body.oldCode ?? null, dayBefore],
    );
    if (rows.length !== 1) {
      const field = body.oldUnitId ? 'oldUnitId' : 'oldCode';
      throw InventoryError.invalid('No such old unit', [{ field, message: `no district or commune ${body.oldUnitId ?? body.oldCode} existed on ${dayBefore}`, value: body.oldUnitId ?? body.oldCode }]);
    }
    return rows[0].id;
  }

  /**
   * What carrying a new province across would do, from the mapping as it stands: units ending and
   * beginning, agencies and their equipment that move with a whole commune, those waiting for a
   * person (split communes, communes no text names, dissolved districts), committees to begin,
   * staffing to enter. Reads only.
   */
  async plan(effectiveOnText: string, provinceCode: string, scope: Scope): Promise<ReorganisationPlan> {
    // The plan spans old provinces and their agencies by name: whole-country readers only.
    if (scope.kind !== 'country') throw InventoryError.forbidden('The plan of a reorganisation spans provinces: ask with a token scoped to the whole country');
    const effectiveOn = parseDay(effectiveOnText);
    if (!effectiveOn) throw InventoryError.invalid('The day is not valid', [{ field: 'effectiveOn', message: 'effectiveOn must be a real date YYYY-MM-DD (2025-07-01)', value: effectiveOnText }]);
    const [province] = (await this.ds.query(
      `SELECT id, code, name, path FROM administrative_unit WHERE level = 'province' AND code = $2 AND (valid_from IS NULL OR valid_from <= $1) AND (valid_to IS NULL OR valid_to > $1)`,
      [effectiveOn, provinceCode],
    )) as Array<{ id: string; code: string; name: string; path: string }>;
    if (!province) throw InventoryError.notFound(`province valid on ${effectiveOn} with code`, provinceCode);
    const q = <T>(sql: string, extra: unknown[] = []): Promise<T[]> =>
      this.ds.query(
        `WITH nc AS (SELECT u.id, u.code, u.name FROM administrative_unit u WHERE u.parent_id = $2 AND (u.valid_from IS NULL OR u.valid_from <= $1) AND (u.valid_to IS NULL OR u.valid_to > $1)),
              succ AS (SELECT s.* FROM unit_succession s JOIN nc ON nc.id = s.new_unit_id WHERE s.effective_on = $1),
              oldp AS (SELECT DISTINCT p.id, p.code, p.name, p.path FROM succ JOIN administrative_unit o ON o.id = succ.old_unit_id
                         JOIN administrative_unit p ON p.id = split_part(o.path, '/', 2)::uuid),
              ended AS (SELECT u.* FROM administrative_unit u JOIN oldp ON u.path LIKE oldp.path || '%' WHERE u.valid_to = $1),
              targets AS (SELECT s.old_unit_id, array_agg(DISTINCT nc.name ORDER BY nc.name) AS names, count(DISTINCT s.new_unit_id)::int AS n
                            FROM unit_succession s JOIN nc ON nc.id = s.new_unit_id WHERE s.effective_on = $1 AND s.old_unit_id IS NOT NULL GROUP BY s.old_unit_id),
              ag AS (SELECT a.id, a.name, a.kind, e.name AS unit, e.level,
                            CASE WHEN a.kind = 'commune_committee' AND e.level = 'commune' THEN 'ending'
                                 WHEN e.level = 'province' THEN 'moving'
                                 WHEN e.level <> 'commune' THEN 'district_level'
                                 WHEN t.n = 1 THEN 'moving' WHEN t.n > 1 THEN 'split' ELSE 'unmapped' END AS fate
                       FROM agency a JOIN ended e ON e.id = a.administrative_unit_id LEFT JOIN targets t ON t.old_unit_id = e.id)
         ${sql}`,
        [effectiveOn, province.id, ...extra],
      );
    const oldProvinces = await q<{ code: string; name: string }>(`SELECT code, name FROM oldp ORDER BY code`);
    const ending = await q<{ level: 'province' | 'district' | 'commune'; n: number }>(`SELECT level, count(*)::int AS n FROM ended GROUP BY level`);
    const [beginning] = await q<{ communes: number; province: number }>(
      `SELECT (SELECT count(*)::int FROM nc JOIN administrative_unit u ON u.id = nc.id WHERE u.valid_from = $1) AS communes,
              (SELECT count(*)::int FROM administrative_unit WHERE id = $2 AND valid_from = $1) AS province`,
    );
    // The agencies of the ended units once, with their fate; the counts and the list come from them.
    const agencies = await q<{ id: string; name: string; kind: string; unit: string; fate: 'ending' | 'moving' | 'split' | 'unmapped' | 'district_level' }>(`SELECT id, name, kind, unit, fate FROM ag ORDER BY unit, name`);
    const fate = (f: string) => agencies.filter((a) => a.fate === f).length;
    const [toBegin] = await q<{ n: number }>(`SELECT count(*)::int AS n FROM nc WHERE NOT EXISTS (SELECT 1 FROM agency a WHERE a.administrative_unit_id = nc.id AND a.kind = 'commune_committee')`);
    // Counted per agency through the agency indexes: a province's few thousand agencies, not the country's equipment.
    const [moving, waiting] = [agencies.filter((a) => a.fate === 'moving' || a.fate === 'ending'), agencies.filter((a) => a.fate !== 'moving' && a.fate !== 'ending')].map((list) => list.map((a) => a.id));
    const equipment: Array<{ what: 'devices' | 'lans' | 'wanLinks'; moving: number; waiting: number }> = await this.ds.query(
      `SELECT w.what, coalesce(sum(w.n) FILTER (WHERE x.moving), 0)::int AS moving, coalesce(sum(w.n) FILTER (WHERE NOT x.moving), 0)::int AS waiting
         FROM (SELECT id, true AS moving FROM unnest($1::uuid[]) id UNION ALL SELECT id, false FROM unnest($2::uuid[]) id) x
         CROSS JOIN LATERAL (VALUES ('devices', (SELECT count(*) FROM device d WHERE d.agency_id = x.id)),
                                    ('lans', (SELECT count(*) FROM lan l WHERE l.agency_id = x.id)),
                                    ('wanLinks', (SELECT count(*) FROM wan_link w WHERE w.agency_id = x.id))) AS w(what, n)
        GROUP BY w.what`,
      [moving, waiting],
    );
    const openNames = await q<{ id: string; newCommune: string; itemText: string; candidates: string[] }>(
      `SELECT succ.id, nc.name AS "newCommune", succ.item_text AS "itemText",
              ARRAY(SELECT c.code || ' ' || c.name FROM unnest(succ.candidates) cid JOIN administrative_unit c ON c.id = cid) AS candidates
         FROM succ JOIN nc ON nc.id = succ.new_unit_id WHERE succ.status = 'open' ORDER BY nc.code, succ.item_index`,
    );
    const splitUnits = await q<{ oldCode: string; oldName: string; newCommunes: string[] }>(
      `SELECT o.code AS "oldCode", o.name AS "oldName", t.names AS "newCommunes" FROM targets t JOIN administrative_unit o ON o.id = t.old_unit_id WHERE t.n > 1 ORDER BY o.code LIMIT 200`,
    );
    const toPlace = agencies.flatMap((a) => (a.fate === 'split' || a.fate === 'unmapped' || a.fate === 'district_level' ? [{ id: a.id, name: a.name, kind: a.kind, unit: a.unit, reason: a.fate }] : [])).slice(0, 200);
    const byLevel = (l: 'province' | 'district' | 'commune') => ending.find((x) => x.level === l)?.n ?? 0;
    const eq = (w: 'devices' | 'lans' | 'wanLinks') => ({ moving: equipment.find((x) => x.what === w)?.moving ?? 0, waiting: equipment.find((x) => x.what === w)?.waiting ?? 0 });
    return {
      effectiveOn,
      province: { code: province.code, name: province.name },
      oldProvinces,
      units: { ending: { province: byLevel('province'), district: byLevel('district'), commune: byLevel('commune') }, beginning: { province: beginning.province, commune: beginning.communes } },
      agencies: { communeCommitteesEnding: fate('ending'), communeCommitteesToBegin: toBegin.n, moving: fate('moving'), split: fate('split'), unmapped: fate('unmapped'), districtLevel: fate('district_level') },
      equipment: { devices: eq('devices'), lans: eq('lans'), wanLinks: eq('wanLinks') },
      staffingToEnter: toBegin.n,
      decisions: { openNames: openNames.length, openNameList: openNames.slice(0, 200), splitUnits, agenciesToPlace: toPlace },
    };
  }

  /** The mapping as a workbook: a row per name, the columns a person fills in (oldCode, share, confirm) beside the proposal. */
  async sheet(q: SuccessionQuery, scope: Scope): Promise<Buffer> {
    const { items } = await this.list({ ...q, limit: 100_000, offset: 0 }, scope);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('successions');
    ws.addRow([...SHEET_COLUMNS]);
    for (const s of items) {
      ws.addRow([
        s.id,
        s.newUnit.province ?? '',
        s.newUnit.code,
        s.newUnit.name,
        s.itemText,
        s.status,
        howInVietnamese(s.how),
        s.oldUnit?.code ?? '',
        s.oldUnit ? `${s.oldUnit.name}${s.oldUnit.district ? ` (${s.oldUnit.district})` : ''}` : '',
        s.candidates.map((c) => `${c.code} ${c.name}${c.district ? ` (${c.district})` : ''}`).join('; '),
        s.share,
        s.status === 'confirmed' ? 'x' : '',
        s.confirmedBy ?? '',
      ]);
    }
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    // Wide enough for a person to read the names; the id column narrow (it is only carried back).
    ws.columns.forEach((c, i) => (c.width = [12, 12, 9, 26, 34, 10, 34, 9, 38, 48, 7, 8, 20][i]));
    // Printed, one page wide, landscape: a reviewer may work on paper.
    ws.pageSetup = { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /**
   * A reviewed workbook back: each row whose oldCode or share was changed, or whose confirm cell
   * is marked (x, có, yes), is confirmed as the row says. All rows or none: every bad row is named.
   */
  async applySheet(rows: Array<Record<string, string>>, ctx: ChangeContext, options: { dryRun?: boolean } = {}): Promise<{ rows: number; confirmed: number; unchanged: number }> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('Reviewing the reorganisation\'s mapping needs a token scoped to the whole country');
    return this.ds.transaction(async (m) => {
      const problems: FieldProblem[] = [];
      const decisions: Array<{ id: string; oldCode?: string; share?: 'whole' | 'part' }> = [];
      const ids = rows.map((r) => (r.id ?? '').trim());
      const stored = new Map(
        ((await m.query(
          `SELECT s.id, o.code AS "oldCode", s.share, s.status, to_char(s.effective_on, 'YYYY-MM-DD') AS "effectiveOn", s.old_unit_id AS "oldUnitId"
             FROM unit_succession s LEFT JOIN administrative_unit o ON o.id = s.old_unit_id WHERE s.id::text = ANY($1::text[])`,
          [ids],
        )) as Array<{ id: string; oldCode: string | null; share: string; status: string; effectiveOn: string; oldUnitId: string | null }>).map((r) => [r.id, r]),
      );
      rows.forEach((r, i) => {
        const row = i + 2;
        const id = ids[i];
        const s = stored.get(id);
        if (!s) return void problems.push({ field: 'id', row, column: 'id', message: `no succession ${id || '(empty)'}: keep the id column as exported`, value: id });
        const oldCode = (r.oldCode ?? '').trim();
        const share = (r.share ?? '').trim().toLowerCase();
        if (share && share !== 'whole' && share !== 'part') problems.push({ field: 'share', row, column: 'share', message: 'share is whole or part', value: r.share });
        if (oldCode && !/^\d{3}(\d{2})?$/.test(oldCode)) problems.push({ field: 'oldCode', row, column: 'oldCode', message: 'oldCode is the GSO code of a district (3 digits) or commune (5 digits)', value: oldCode });
        const marked = YES.has((r.confirm ?? '').trim().toLowerCase());
        const changed = (oldCode && oldCode !== (s.oldCode ?? '')) || (share && share !== s.share);
        if (!marked && !changed) return;
        if (s.status === 'confirmed' && !changed) return;
        decisions.push({ id, oldCode: oldCode || undefined, share: (share || undefined) as 'whole' | 'part' | undefined });
      });
      if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, `Nothing was imported: ${new Set(problems.map((p) => p.row)).size} row(s) have problems`, problems);
      for (const d of decisions) {
        try {
          const s = stored.get(d.id)!;
          if (options.dryRun) await this.oldUnitOf(m, s.effectiveOn, { oldCode: d.oldCode }, s.oldUnitId);
          else await this.review(d.id, { oldCode: d.oldCode, share: d.share }, ctx, m);
        } catch (err) {
          if (!(err instanceof InventoryError)) throw err;
          const row = ids.indexOf(d.id) + 2;
          problems.push(...err.problems.map((p) => ({ ...p, row, column: p.field })));
          if (problems.length > 100) break;
        }
      }
      if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, `Nothing was imported: ${new Set(problems.map((p) => p.row)).size} row(s) have problems`, problems);
      return { rows: rows.length, confirmed: decisions.length, unchanged: rows.length - decisions.length };
    });
  }

  private async views(ids: string[], m: EntityManager = this.ds.manager): Promise<SuccessionView[]> {
    if (ids.length === 0) return [];
    const rows: Array<{ id: string; effectiveOn: string; newId: string; newCode: string; newName: string; newProvince: string | null; itemIndex: number; itemText: string; status: SuccessionStatus; share: 'whole' | 'part'; how: string; oldUnitId: string | null; candidates: string[]; confirmedBy: string | null; confirmedAt: Date | null }> = await m.query(
      `SELECT s.id, to_char(s.effective_on, 'YYYY-MM-DD') AS "effectiveOn", n.id AS "newId", n.code AS "newCode", n.name AS "newName", np.code AS "newProvince", s.item_index AS "itemIndex",
              s.item_text AS "itemText", s.status, s.share, s.how, s.old_unit_id AS "oldUnitId", s.candidates::text[] AS candidates, s.confirmed_by AS "confirmedBy", s.confirmed_at AS "confirmedAt"
         FROM unit_succession s JOIN administrative_unit n ON n.id = s.new_unit_id LEFT JOIN administrative_unit np ON np.id = n.parent_id
        WHERE s.id = ANY($1::uuid[])`,
      [ids],
    );
    const unitIds = [...new Set(rows.flatMap((r) => [...(r.oldUnitId ? [r.oldUnitId] : []), ...r.candidates]))];
    const units = new Map(
      ((await m.query(
        `SELECT u.id, u.code, u.name, CASE WHEN p.level = 'district' THEN p.name END AS district, COALESCE(CASE WHEN p.level = 'province' THEN p.name END, gp.name) AS province
           FROM administrative_unit u LEFT JOIN administrative_unit p ON p.id = u.parent_id LEFT JOIN administrative_unit gp ON gp.id = p.parent_id WHERE u.id = ANY($1::uuid[])`,
        [unitIds],
      )) as Array<{ id: string; code: string; name: string; district: string | null; province: string | null }>).map((u) => [u.id, u]),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const r = byId.get(id);
      if (!r) return [];
      return [{
        id: r.id,
        effectiveOn: r.effectiveOn,
        newUnit: { id: r.newId, code: r.newCode, name: r.newName, province: r.newProvince },
        itemIndex: r.itemIndex,
        itemText: r.itemText,
        status: r.status,
        share: r.share,
        how: r.how,
        oldUnit: r.oldUnitId ? (units.get(r.oldUnitId) ?? null) : null,
        candidates: r.candidates.flatMap((c) => (units.has(c) ? [units.get(c)!] : [])),
        confirmedBy: r.confirmedBy,
        confirmedAt: r.confirmedAt ? new Date(r.confirmedAt).toISOString() : null,
      }];
    });
  }
}
