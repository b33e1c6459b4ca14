import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Indicator } from './indicator.entity';
import { numeric } from './numeric';
import { Plan } from './plan.entity';

/** One cell of a plan's target table: an indicator's value for a year, in the plan's own words. */
@Entity({ name: 'plan_target' })
@Index('uq_plan_target', ['planId', 'indicatorId', 'year'], { unique: true })
@Index('ix_plan_target_indicator', ['indicatorId'])
@Check('ck_plan_target_percent', '"value" >= 0 AND "value" <= 100')
export class PlanTarget {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  planId: string;

  @ManyToOne(() => Plan, (p) => p.targets, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_plan_target_plan' })
  plan?: Relation<Plan>;

  @Column({ type: 'uuid' })
  indicatorId: string;

  @ManyToOne(() => Indicator, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'indicator_id', foreignKeyConstraintName: 'fk_plan_target_indicator' })
  indicator?: Indicator;

  @Column({ type: 'smallint' })
  year: number;

  /** Percent. */
  @Column({ type: 'numeric', precision: 6, scale: 2, transformer: numeric })
  value: number;

  /** The plan's own row number and wording, e.g. "4." / "Tỷ lệ các xã, phường, thị trấn có mạng nội bộ (LAN)." */
  @Column({ type: 'varchar', length: 20, nullable: true })
  row: string | null;

  @Column({ type: 'text' })
  wordingVi: string;

  @Column({ type: 'text' })
  labelEn: string;
}
