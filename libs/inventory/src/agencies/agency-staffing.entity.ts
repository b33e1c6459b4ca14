import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { Agency } from './agency.entity';

/** Head count of one agency in one year: the denominator of "computers per civil servant". */
@Entity('agency_staffing')
@Check('ck_agency_staffing_counts', '"civil_servants" >= 0 AND "public_employees" >= 0')
@Check('ck_agency_staffing_year', '"year" BETWEEN 1990 AND 2100')
export class AgencyStaffing {
  @PrimaryColumn({ type: 'uuid' })
  agencyId: string;

  @PrimaryColumn({ type: 'smallint' })
  year: number;

  /** Cán bộ, công chức. */
  @Column({ type: 'integer', default: 0 })
  civilServants: number;

  /** Viên chức. */
  @Column({ type: 'integer', default: 0 })
  publicEmployees: number;

  @ManyToOne('Agency', 'staffing', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_agency_staffing_agency' })
  agency?: Agency;
}
