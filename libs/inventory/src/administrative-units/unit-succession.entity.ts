import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnit } from './administrative-unit.entity';

export const SUCCESSION_STATUSES = ['proposed', 'open', 'confirmed'] as const;
export type SuccessionStatus = (typeof SUCCESSION_STATUSES)[number];

/**
 * One name of a new commune's "before" text and the old unit it names: proposed by Hatang when
 * exactly one fits, open (for a person to pick among `candidates`) otherwise, confirmed once a
 * person has checked it, with who and when. A new proposal never overwrites a confirmed row.
 */
@Entity('unit_succession')
@Check('ck_unit_succession_status', `"status" IN ('proposed', 'open', 'confirmed')`)
@Check('ck_unit_succession_share', `"share" IN ('whole', 'part')`)
@Check('ck_unit_succession_resolved', `"status" = 'open' OR "old_unit_id" IS NOT NULL`)
@Index('uq_unit_succession_item', ['newUnitId', 'itemIndex'], { unique: true })
@Index('ix_unit_succession_old', ['oldUnitId'])
export class UnitSuccession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The day the new units came into force (2025-07-01); the old units are those of the day before. */
  @Column({ type: 'date' })
  effectiveOn: string;

  @Column({ type: 'uuid' })
  newUnitId: string;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'new_unit_id', foreignKeyConstraintName: 'fk_unit_succession_new' })
  newUnit?: AdministrativeUnit;

  /** Its place in the text (0 first). */
  @Column({ type: 'int' })
  itemIndex: number;

  /** The name as the text writes it. */
  @Column({ type: 'varchar', length: 500 })
  itemText: string;

  @Column({ type: 'uuid', nullable: true })
  oldUnitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'old_unit_id', foreignKeyConstraintName: 'fk_unit_succession_old' })
  oldUnit?: AdministrativeUnit | null;

  /** The old units that fit, for a person to pick from. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  candidates: string[];

  @Column({ type: 'varchar', length: 10 })
  status: SuccessionStatus;

  /** `part` when the old unit went into more than one new commune. */
  @Column({ type: 'varchar', length: 5, default: 'whole' })
  share: 'whole' | 'part';

  /** How the proposal was reached (or "chosen by a person"). */
  @Column({ type: 'varchar', length: 200 })
  how: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  confirmedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;
}
