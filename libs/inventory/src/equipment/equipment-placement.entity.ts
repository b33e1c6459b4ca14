import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agency } from '../agencies/agency.entity';

export const PLACED_ENTITIES = ['device', 'lan', 'wan_link'] as const;
export type PlacedEntity = (typeof PLACED_ENTITIES)[number];

/**
 * A place a device, LAN or WAN link was at before its previous one: at `agencyId` from `validFrom`
 * (null: since it was registered) until the day before `validTo`. The current place and the one
 * before it are on the equipment row (agency_id, placed_on, previous_agency_id, previous_from), so
 * rows here are rare: items moved more than once. Coverage of any day counts each item where it was.
 */
@Entity('equipment_placement')
@Check('ck_equipment_placement_entity', `"entity_type" IN ('device', 'lan', 'wan_link')`)
@Check('ck_equipment_placement_dates', '"valid_from" IS NULL OR "valid_to" > "valid_from"')
@Index('ix_equipment_placement_agency', ['entityType', 'agencyId', 'validTo'])
@Index('ix_equipment_placement_entity', ['entityType', 'entityId', 'validTo'])
@Index('ix_equipment_placement_run', ['runId'])
export class EquipmentPlacement {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 10 })
  entityType: PlacedEntity;

  @Column({ type: 'uuid' })
  entityId: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_equipment_placement_agency' })
  agency?: Agency;

  /** A workstation's staff position there, when moving gave it another. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  staffPosition: string | null;

  @Column({ type: 'date', nullable: true })
  validFrom: string | null;

  @Column({ type: 'date' })
  validTo: string;

  /** The reorganisation run that moved it (null: moved by hand). */
  @Column({ type: 'uuid', nullable: true })
  runId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
