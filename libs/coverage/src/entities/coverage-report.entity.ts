import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { PlanCoverage } from '../coverage.types';
import { Plan } from './plan.entity';

/**
 * A saved report: the figures as computed, frozen. Rows are never updated (a trigger refuses it,
 * see the migration); a later report is a new row.
 */
@Entity({ name: 'coverage_report' })
@Index('ix_coverage_report_plan', ['planId'])
export class CoverageReport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Kept if the plan is deleted later: the snapshot carries the plan's title and targets. */
  @Column({ type: 'uuid', nullable: true })
  planId: string | null;

  @ManyToOne(() => Plan, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_coverage_report_plan' })
  plan?: Plan | null;

  @Column({ type: 'text', nullable: true })
  title: string | null;

  /** Path of the unit the figures were counted over: the plan's province, or the saver's district. */
  @Column({ type: 'text' })
  areaPath: string;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  /** When the inventory was read. */
  @Column({ type: 'timestamptz' })
  computedAt: Date;

  @Column({ type: 'jsonb' })
  figures: PlanCoverage;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
