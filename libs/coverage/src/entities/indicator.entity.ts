import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { IndicatorDefinition } from '../definition';

/**
 * A ratio over a population, declared as data (see definition.ts). The built-in catalogue is
 * loaded by code and cannot be changed through the API; planners add their own.
 */
@Entity({ name: 'indicator' })
@Index('uq_indicator_code', ['code'], { unique: true })
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

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
