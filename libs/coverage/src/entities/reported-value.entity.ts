import { AdministrativeUnit } from '@app/inventory';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Indicator } from './indicator.entity';
import { numeric } from './numeric';

/** A planner's figure for a target the inventory cannot measure, with where it comes from. */
@Entity({ name: 'reported_value' })
@Index('uq_reported_value', ['indicatorId', 'administrativeUnitId', 'year'], { unique: true })
@Check('ck_reported_value_percent', '"value" >= 0 AND "value" <= 100')
export class ReportedValue {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  indicatorId: string;

  @ManyToOne(() => Indicator, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'indicator_id', foreignKeyConstraintName: 'fk_reported_value_indicator' })
  indicator?: Indicator;

  /** The province the figure is for. */
  @Column({ type: 'uuid' })
  administrativeUnitId: string;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_reported_value_unit' })
  administrativeUnit?: AdministrativeUnit;

  @Column({ type: 'smallint' })
  year: number;

  @Column({ type: 'numeric', precision: 6, scale: 2, transformer: numeric })
  value: number;

  @Column({ type: 'text' })
  source: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
