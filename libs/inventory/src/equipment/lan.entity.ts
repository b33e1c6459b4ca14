import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { Equipment } from '../shared/lifecycle';

/** An agency's local network. It is complete (LAN hoàn chỉnh) when it joins every department of the office. */
@Entity('lan')
@Check('ck_lan_departments', '"departments_joined" >= 0 AND "departments_joined" <= "departments_total"')
@Check('ck_lan_completed_on', '"completed_on" IS NULL OR "departments_joined" = "departments_total"')
@Index('ix_lan_agency', ['agencyId'])
@Index('ix_lan_previous_agency', ['previousAgencyId'], { where: '"previous_agency_id" IS NOT NULL' })
export class Lan extends Equipment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_lan_agency' })
  agency?: Agency;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'integer' })
  departmentsJoined: number;

  @Column({ type: 'integer' })
  departmentsTotal: number;

  /** The day it came to join all departments; coverage before that day counts it as incomplete. */
  @Column({ type: 'date', nullable: true })
  completedOn: string | null;
}
