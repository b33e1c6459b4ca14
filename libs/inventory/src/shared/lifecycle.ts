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
   * The day it came to its agency, when it was elsewhere before (equipment_placement keeps where);
   * null: it has always been there. Coverage on an earlier day counts it where it was then.
   */
  @Column({ type: 'date', nullable: true })
  placedOn: string | null;
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
