import { AdministrativeUnit } from '@app/inventory';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, type Relation, UpdateDateColumn } from 'typeorm';
import { PlanTarget } from './plan-target.entity';

/** A province's plan for a period, citing its source document, holding yearly targets. */
@Entity({ name: 'plan' })
@Index('ix_plan_unit', ['administrativeUnitId'])
@Check('ck_plan_period', '"period_to" >= "period_from"')
export class Plan {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  administrativeUnitId: string;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_plan_unit' })
  administrativeUnit?: AdministrativeUnit;

  @Column({ type: 'text' })
  titleVi: string;

  @Column({ type: 'text', nullable: true })
  titleEn: string | null;

  /** "647/QĐ-UBND" */
  @Column({ type: 'varchar', length: 60, nullable: true })
  documentNumber: string | null;

  @Column({ type: 'date', nullable: true })
  documentDate: string | null;

  @Column({ type: 'smallint' })
  periodFrom: number;

  @Column({ type: 'smallint' })
  periodTo: number;

  /** The preset it was loaded from, if any. */
  @Column({ type: 'varchar', length: 60, nullable: true })
  preset: string | null;

  @OneToMany(() => PlanTarget, (t) => t.plan)
  targets?: Relation<PlanTarget[]>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
