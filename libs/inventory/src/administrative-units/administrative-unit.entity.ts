import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { oneOf, UNIT_LEVELS, type UnitLevel } from '../shared/vocabulary';
import { Timestamped } from '../shared/timestamps';

/**
 * A province, district or commune with its GSO code. Since 1 July 2025 there is no district
 * level, so a commune's parent may be a province; `validFrom` / `validTo` keep the history.
 */
@Entity('administrative_unit')
@Check('ck_administrative_unit_level', oneOf('level', UNIT_LEVELS))
@Check('ck_administrative_unit_validity', '"valid_to" IS NULL OR "valid_from" IS NULL OR "valid_to" > "valid_from"')
@Index('uq_administrative_unit_current_code', ['code'], { unique: true, where: '"valid_to" IS NULL' })
@Index('ix_administrative_unit_parent', ['parentId'])
@Index('ix_administrative_unit_path', { synchronize: false }) // text_pattern_ops, see migration
@Index('ix_administrative_unit_name_trgm', { synchronize: false })
export class AdministrativeUnit extends Timestamped {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** GSO code: 2 digits for a province, 3 for a district, 5 for a commune. */
  @Column({ type: 'varchar', length: 5 })
  code: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  level: UnitLevel;

  /** Vietnamese type as published: Tỉnh, Thành phố Trung ương, Huyện, Quận, Thị xã, Thành phố, Xã, Phường, Thị trấn. */
  @Column({ type: 'varchar', length: 60 })
  type: string;

  @Column({ type: 'uuid', nullable: true })
  parentId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'fk_administrative_unit_parent' })
  parent?: AdministrativeUnit | null;

  /** Ids from the province down to this unit, "/id/id/id/": a subtree is a prefix match. */
  @Column({ type: 'text' })
  path: string;

  @Column({ type: 'date', nullable: true })
  validFrom: string | null;

  @Column({ type: 'date', nullable: true })
  validTo: string | null;

  /**
   * The unit's boundary as GeoJSON (Polygon or MultiPolygon, WGS84), when one was imported. Not
   * read with the unit (a district's boundary is a few hundred kilobytes): maps ask for it.
   */
  @Column({ type: 'jsonb', nullable: true, select: false })
  boundary?: { type: 'Polygon' | 'MultiPolygon'; coordinates: number[][][] | number[][][][] } | null;
}
