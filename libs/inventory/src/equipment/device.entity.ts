import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { Equipment } from '../shared/lifecycle';
import { DEVICE_KINDS, type DeviceKind, MEETING_SYSTEMS, type MeetingSystem, oneOf } from '../shared/vocabulary';
import { Lan } from './lan.entity';

/**
 * Routers, switches, firewalls, servers, videoconference endpoints, workstations, UPSes: one
 * table, with the fields that only one kind has left empty for the others.
 */
@Entity('device')
@Check('ck_device_kind', oneOf('kind', DEVICE_KINDS))
@Check('ck_device_meeting_system', `"meeting_system" IS NULL OR (${oneOf('meeting_system', MEETING_SYSTEMS)} AND "kind" = 'videoconference_endpoint')`)
@Check('ck_device_staff_position', `"staff_position" IS NULL OR "kind" = 'workstation'`)
@Check('ck_device_server_fields', `("data_centre" IS NULL AND "rack" IS NULL AND "role" IS NULL) OR "kind" = 'server'`)
@Index('uq_device_serial_number', ['serialNumber'], { unique: true })
@Index('uq_device_workstation_position', ['agencyId', 'staffPosition'], {
  unique: true,
  where: `"kind" = 'workstation' AND "staff_position" IS NOT NULL AND "status" <> 'retired'`,
})
@Index('ix_device_agency_kind', ['agencyId', 'kind'])
@Index('ix_device_lan', ['lanId'])
@Index('ix_device_name_trgm', { synchronize: false })
@Index('ix_device_previous_agency', ['previousAgencyId', 'kind'], { where: '"previous_agency_id" IS NOT NULL' })
// An LLDP neighbour or a discovered address is matched to a device by management address, else by name (case aside).
@Index('ix_device_management_address', ['managementAddress'], { where: '"management_address" IS NOT NULL' })
@Index('ix_device_name_lower', { synchronize: false })
export class Device extends Equipment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_device_agency' })
  agency?: Agency;

  @Column({ type: 'varchar', length: 30 })
  kind: DeviceKind;

  /** Host name or label on the equipment. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  serialNumber: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  manufacturer: string | null;

  /** IPv4 or IPv6 address, or DNS name, the device is managed (and polled) at. */
  @Column({ type: 'varchar', length: 253, nullable: true })
  managementAddress: string | null;

  @Column({ type: 'uuid', nullable: true })
  lanId: string | null;

  @ManyToOne(() => Lan, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'lan_id', foreignKeyConstraintName: 'fk_device_lan' })
  lan?: Lan | null;

  /** Servers: the data centre, rack and role (e.g. "Trung tâm tích hợp dữ liệu tỉnh", "R03", "database"). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  dataCentre: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  rack: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  role: string | null;

  /** Videoconference endpoints: the meeting system it belongs to. */
  @Column({ type: 'varchar', length: 30, nullable: true })
  meetingSystem: MeetingSystem | null;

  /** Workstations: the staff position (vị trí việc làm) it is assigned to. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  staffPosition: string | null;

  /** Its staff position at its previous agency (a move may have changed it). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  previousStaffPosition: string | null;
}
