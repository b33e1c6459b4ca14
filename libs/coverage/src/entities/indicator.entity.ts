import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { AdministrativeUnit } from '@app/inventory';
import type { IndicatorDefinition } from '../definition';

/**
 * A ratio over a population, declared as data (see definition.ts). The built-in catalogue is
 * loaded by code and cannot be changed through the API; planners add their own, for their province
 * (or, with a whole-country token, for every province).
 */
@Entity({ name: 'indicator' })
@Index('uq_indicator_code', ['code'], { unique: true })
@Index('ix_indicator_administrative_unit', ['administrativeUnitId'])
export class Indicator {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 80 })
  code: string;

  @Column({ type: 'text' })
  labelVi: string;

  @Column({ type: 'text' })
  labelEn: string;

  /** measured from the inventory, or reported by a planner per year. */
  @Column({ type: 'jsonb' })
  definition: IndicatorDefinition;

  @Column({ type: 'boolean', default: false })
  builtin: boolean;

  /** The province that declared it, which alone sees and uses it; null for every province. */
  @Column({ type: 'uuid', nullable: true })
  administrativeUnitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_indicator_administrative_unit' })
  administrativeUnit?: AdministrativeUnit | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
