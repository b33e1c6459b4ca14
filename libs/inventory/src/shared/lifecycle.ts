import { Check, Column } from 'typeorm';
import { EQUIPMENT_STATUSES, type EquipmentStatus, oneOf } from './vocabulary';
import { Timestamped } from './timestamps';

/**
 * planned → active → faulty → retired, with the dates coverage is computed from: a piece of
 * equipment counts on a date when it was commissioned on or before it and not retired by then.
 */
@Check('ck_lifecycle_status', oneOf('status', EQUIPMENT_STATUSES))
@Check('ck_lifecycle_dates', '"retired_on" IS NULL OR "commissioned_on" IS NULL OR "retired_on" >= "commissioned_on"')
export abstract class Equipment extends Timestamped {
  @Column({ type: 'varchar', length: 10, default: 'active' })
  status: EquipmentStatus;

  @Column({ type: 'date', nullable: true })
  commissionedOn: string | null;

  @Column({ type: 'date', nullable: true })
  retiredOn: string | null;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  /**
   * Where it sits is a history. `agencyId` (on each kind of equipment) is where it is, since
   * `placedOn` (null: since it was registered); `previousAgencyId` where it was before, from
   * `previousFrom` until `placedOn`; places before that are in equipment_placement (rare: an item
   * moved twice). Coverage of any day counts the item where it was that day. The previous place
   * lives on the row so that coverage reads one table, as it did before any move, and a move of a
   * whole province's equipment writes each row once.
   */
  @Column({ type: 'date', nullable: true })
  placedOn: string | null;

  /** No foreign key (a check per moved row): an agency that held equipment is not deleted (AgenciesService). */
  @Column({ type: 'uuid', nullable: true })
  previousAgencyId: string | null;

  @Column({ type: 'date', nullable: true })
  previousFrom: string | null;

  /** The reorganisation run that moved it from there (null: moved by hand). */
  @Column({ type: 'uuid', nullable: true })
  previousRunId: string | null;
}

export interface LifecycleFields {
  status?: EquipmentStatus;
  commissionedOn?: string | null;
  retiredOn?: string | null;
}

/** The lifecycle rules no single field can check; returns field → message. */
export function lifecycleProblems(f: LifecycleFields): Record<string, string> {
  const problems: Record<string, string> = {};
  if (f.commissionedOn && f.retiredOn && f.retiredOn < f.commissionedOn) {
    problems.retiredOn = `retiredOn (${f.retiredOn}) is before commissionedOn (${f.commissionedOn})`;
  }
  if (f.status === 'retired' && !f.retiredOn) problems.retiredOn = 'a retired item needs retiredOn';
  if (f.status && f.status !== 'retired' && f.retiredOn) {
    problems.status = `status is ${f.status} but retiredOn is set; use status retired`;
  }
  if ((f.status === 'active' || f.status === 'faulty') && !f.commissionedOn) {
    problems.commissionedOn = `an ${f.status} item needs commissionedOn`;
  }
  return problems;
}
