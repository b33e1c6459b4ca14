import { type EntityManager } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { anyOf, type Candidate } from '../shared/inventory-resource';
import type { FieldProblem } from '../shared/inventory-error';
import type { PlacedEntity } from './equipment-placement.entity';
import { type Equipment, lifecycleProblems } from '../shared/lifecycle';

type Owned = Equipment & { id: string; agencyId: string };

/** The checks every piece of equipment needs: its agency exists, its lifecycle dates agree. */
export async function equipmentProblems<E extends Owned>(
  candidates: Candidate<E>[],
  m: EntityManager,
): Promise<Map<number, FieldProblem[]>> {
  const agencyIds = [...new Set(candidates.map((c) => c.after.agencyId))];
  const agencies = new Set((await m.getRepository(Agency).findBy({ id: anyOf(agencyIds) })).map((a) => a.id));
  const out = new Map<number, FieldProblem[]>();
  for (const c of candidates) {
    const p: FieldProblem[] = [];
    if (!agencies.has(c.after.agencyId)) p.push({ field: 'agencyId', message: `no agency ${c.after.agencyId}`, value: c.after.agencyId });
    for (const [field, message] of Object.entries(lifecycleProblems(c.after))) p.push({ field, message });
    if (p.length) out.set(c.index, p);
  }
  return out;
}

export function addProblem(out: Map<number, FieldProblem[]>, index: number, problem: FieldProblem): void {
  const list = out.get(index) ?? [];
  list.push(problem);
  out.set(index, list);
}

export const EQUIPMENT_DEFAULTS = { status: 'active', commissionedOn: null, retiredOn: null, notes: null } as const;

/** The day an updated item moved to its new agency (`movedOn` of the patch), by the merged record. */
const movedOn = new WeakMap<object, string>();

type Moving = Owned & { staffPosition?: string | null; previousStaffPosition?: string | null };

/**
 * Takes `movedOn` out of a merged update: with a new agencyId, the item moved that day (its place
 * becomes its previous place, and coverage of earlier days counts it there); without it, a new
 * agencyId corrects where the item is.
 */
export function takeMove<E extends Moving>(before: E, merged: E & { movedOn?: string }): E {
  const { movedOn: day, ...after } = merged;
  if (day !== undefined) {
    movedOn.set(after, day);
    if (after.agencyId !== before.agencyId) {
      Object.assign(after, { placedOn: day, previousAgencyId: before.agencyId, previousFrom: before.placedOn, previousRunId: null });
      if ('staffPosition' in before) Object.assign(after, { previousStaffPosition: before.staffPosition ?? null });
    }
  }
  return after as unknown as E;
}

/** What is wrong with the moves of these candidates. */
export function moveProblems<E extends Owned>(candidates: Candidate<E>[], out: Map<number, FieldProblem[]>): void {
  for (const c of candidates) {
    const day = movedOn.get(c.after);
    if (day === undefined || !c.before) continue;
    if (c.after.agencyId === c.before.agencyId) addProblem(out, c.index, { field: 'movedOn', message: 'movedOn goes with a new agencyId: the day the item came to that agency', value: day });
    else if (c.before.placedOn && day <= c.before.placedOn) addProblem(out, c.index, { field: 'movedOn', message: `movedOn must be after ${c.before.placedOn}, the day the item came to its current agency`, value: day });
  }
}

/** An item moved a second time keeps its place before the previous one in equipment_placement. */
export async function recordMoves<E extends Moving>(entity: PlacedEntity, candidates: Candidate<E>[], m: EntityManager): Promise<void> {
  const pushed = candidates.filter((c) => c.before?.previousAgencyId && movedOn.has(c.after) && c.after.agencyId !== c.before.agencyId).map((c) => c.before!);
  if (!pushed.length) return;
  await m.query(
    `INSERT INTO equipment_placement (entity_type, entity_id, agency_id, staff_position, valid_from, valid_to, run_id)
     SELECT $1, x.id, x.agency_id, x.staff_position, x.valid_from, x.valid_to, x.run_id
       FROM unnest($2::uuid[], $3::uuid[], $4::varchar[], $5::date[], $6::date[], $7::uuid[]) AS x(id, agency_id, staff_position, valid_from, valid_to, run_id)`,
    [entity, pushed.map((b) => b.id), pushed.map((b) => b.previousAgencyId), pushed.map((b) => b.previousStaffPosition ?? null), pushed.map((b) => b.previousFrom), pushed.map((b) => b.placedOn), pushed.map((b) => b.previousRunId)],
  );
}

export interface PlacementView {
  agencyId: string;
  agencyName: string;
  /** The first day there (null: since it was registered). */
  from: string | null;
  /** The first day elsewhere (null: it is still there). */
  to: string | null;
  staffPosition: string | null;
  /** The reorganisation run that moved it from there, if one did. */
  runId: string | null;
}

/** Where an item has been, oldest first, its current agency last. */
export async function placementsOf(entity: PlacedEntity, item: Moving, m: EntityManager): Promise<PlacementView[]> {
  const older: PlacementView[] = await m.query(
    `SELECT p.agency_id AS "agencyId", a.name AS "agencyName", to_char(p.valid_from, 'YYYY-MM-DD') AS "from", to_char(p.valid_to, 'YYYY-MM-DD') AS "to", p.staff_position AS "staffPosition", p.run_id AS "runId"
       FROM equipment_placement p JOIN agency a ON a.id = p.agency_id WHERE p.entity_type = $1 AND p.entity_id = $2 ORDER BY p.valid_to`,
    [entity, item.id],
  );
  const names = new Map(
    ((await m.query(`SELECT id, name FROM agency WHERE id = ANY($1::uuid[])`, [[item.agencyId, ...(item.previousAgencyId ? [item.previousAgencyId] : [])]])) as Array<{ id: string; name: string }>).map((a) => [a.id, a.name]),
  );
  const previous: PlacementView[] = item.previousAgencyId
    ? [{ agencyId: item.previousAgencyId, agencyName: names.get(item.previousAgencyId) ?? '', from: item.previousFrom, to: item.placedOn, staffPosition: item.previousStaffPosition ?? null, runId: item.previousRunId }]
    : [];
  return [...older, ...previous, { agencyId: item.agencyId, agencyName: names.get(item.agencyId) ?? '', from: item.placedOn, to: null, staffPosition: item.staffPosition ?? null, runId: null }];
}
