import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnit } from '../administrative-units/administrative-unit.entity';
import { AGENCY_KINDS, type AgencyKind, oneOf, SECTORS, type Sector } from '../shared/vocabulary';
import { Timestamped } from '../shared/timestamps';
import { AgencyStaffing } from './agency-staffing.entity';

/** A state agency or public service unit (cơ quan, đơn vị) located in an administrative unit. */
@Entity('agency')
@Check('ck_agency_kind', oneOf('kind', AGENCY_KINDS))
@Check('ck_agency_sector', oneOf('sector', SECTORS))
// A code names one current agency; an agency that ended (carried into a new commune) keeps its code beside its successor's.
@Index('uq_agency_code', ['code'], { unique: true, where: '"valid_to" IS NULL' })
@Check('ck_agency_validity', '"valid_to" IS NULL OR "valid_from" IS NULL OR "valid_to" > "valid_from"')
@Index('ix_agency_administrative_unit', ['administrativeUnitId'])
@Index('ix_agency_parent', ['parentId'])
@Index('ix_agency_previous_unit', ['previousUnitId'], { where: '"previous_unit_id" IS NOT NULL' })
@Index('ix_agency_name_trgm', { synchronize: false })
export class Agency extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The agency's identifier code (mã định danh), the key spreadsheets match on. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  code: string | null;

  @Column({ type: 'varchar', length: 300 })
  name: string;

  @Column({ type: 'varchar', length: 40 })
  kind: AgencyKind;

  @Column({ type: 'varchar', length: 20, default: 'general' })
  sector: Sector;

  @Column({ type: 'uuid' })
  administrativeUnitId: string;

  /**
   * The unit it was in before, until `unitSince`, when the reorganisation carried it into its new
   * commune or province (a school of an old commune is the same school in the new one); coverage
   * of an earlier day counts it there.
   */
  @Column({ type: 'uuid', nullable: true })
  previousUnitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'previous_unit_id', foreignKeyConstraintName: 'fk_agency_previous_unit' })
  previousUnit?: AdministrativeUnit | null;

  /** The day it came to its unit (null: always there). */
  @Column({ type: 'date', nullable: true })
  unitSince: string | null;

  // Kept by the database's triggers for coverage (migration MovesOut); neither read nor written
  // through the entity.
  /** The last day equipment left it with its history kept (null: none ever did). */
  @Column({ type: 'date', nullable: true, select: false, insert: false, update: false })
  lastMoveOutOn?: string | null;

  /** False when nothing sits at it now. */
  @Column({ type: 'boolean', default: true, select: false, insert: false, update: false })
  holdsEquipment?: boolean;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_agency_administrative_unit' })
  administrativeUnit?: AdministrativeUnit;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_agency_parent' })
  parent?: Agency | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  /** The day it began, when it began within the inventory's history (a committee of a commune formed in 2025); null: always. */
  @Column({ type: 'date', nullable: true })
  validFrom: string | null;

  /** The day it ended (not counted from then on), as an old commune's committee on 2025-07-01; null: current. */
  @Column({ type: 'date', nullable: true })
  validTo: string | null;

  @OneToMany(() => AgencyStaffing, (s) => s.agency)
  staffing?: AgencyStaffing[];
}
