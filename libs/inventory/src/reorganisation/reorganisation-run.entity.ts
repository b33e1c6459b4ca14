import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One application of the reorganisation's mapping to the inventory of one new province: what it
 * did (agencies ended and begun, equipment re-homed), who applied it and, if it was undone, who
 * reverted it. Each moved item's former place is in equipment_placement under the run's id.
 */
@Entity('reorganisation_run')
export class ReorganisationRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'date' })
  effectiveOn: string;

  /** The new provinces' codes (one, or every one when the whole country was applied at once). */
  @Column({ type: 'varchar', length: 10, array: true })
  provinceCodes: string[];

  /** Counts of what was done, as the apply call answered. */
  @Column({ type: 'jsonb' })
  summary: Record<string, unknown>;

  /** The agencies it ended (they had no end before). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  endedAgencies: string[];

  /** The agencies it created: the committees of new communes (and provinces) that had none. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  createdAgencies: string[];

  /** The agencies it carried into their new unit (their previous unit kept on them). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  carriedAgencies: string[];

  @Column({ type: 'varchar', length: 200 })
  appliedBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  appliedAt: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  revertedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  revertedAt: Date | null;
}
