import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Agency } from '../agencies/agency.entity';
import { Equipment } from '../shared/lifecycle';
import { MEDIA, type Medium, NETWORKS, type Network, oneOf } from '../shared/vocabulary';
import { Device } from './device.entity';

/** An agency's connection to the provincial WAN, the TSLCD network or the Internet. */
@Entity('wan_link')
@Check('ck_wan_link_network', oneOf('network', NETWORKS))
@Check('ck_wan_link_medium', oneOf('medium', MEDIA))
@Check('ck_wan_link_bandwidth', '"bandwidth_mbps" IS NULL OR "bandwidth_mbps" > 0')
@Check('ck_wan_link_if_index', '"if_index" IS NULL OR "device_id" IS NOT NULL')
@Check('ck_wan_link_interface_name', '"interface_name" IS NULL OR "device_id" IS NOT NULL')
@Index('uq_wan_link_circuit', ['provider', 'circuitId'], { unique: true })
@Index('ix_wan_link_agency', ['agencyId'])
@Index('ix_wan_link_device', ['deviceId'])
@Index('ix_wan_link_previous_agency', ['previousAgencyId'], { where: '"previous_agency_id" IS NOT NULL' })
export class WanLink extends Equipment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  agencyId: string;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_wan_link_agency' })
  agency?: Agency;

  @Column({ type: 'varchar', length: 20 })
  network: Network;

  @Column({ type: 'varchar', length: 20 })
  medium: Medium;

  @Column({
    type: 'numeric',
    precision: 12,
    scale: 3,
    nullable: true,
    transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  bandwidthMbps: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  provider: string | null;

  /** The provider's circuit id (mã thuê bao / mã kênh), unique per provider. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  circuitId: string | null;

  /** The device and interface that carry the link, for the poller. */
  @Column({ type: 'uuid', nullable: true })
  deviceId: string | null;

  @ManyToOne(() => Device, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_wan_link_device' })
  device?: Device | null;

  /**
   * The device's number for that interface today (IF-MIB ifIndex): set from `interfaceName` when the
   * device's interfaces are listed, and moved by the poller when a reboot renumbers them.
   */
  @Column({ type: 'integer', nullable: true })
  ifIndex: number | null;

  /** The interface as admins name it (ifName: Gi0/1, ge-0/0/1, port1): what the link keeps across renumbering. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  interfaceName: string | null;
}
