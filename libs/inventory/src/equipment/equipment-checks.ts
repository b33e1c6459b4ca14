import { type EntityManager } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { anyOf, type Candidate } from '../shared/inventory-resource';
import type { FieldProblem } from '../shared/inventory-error';
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
