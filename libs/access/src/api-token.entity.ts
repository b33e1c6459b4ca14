import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnit, Agency, type Role, ROLES } from '@app/inventory';

/**
 * An API token. The secret is shown once, at creation; only its SHA-256 is kept (a token is 256
 * random bits, so a fast hash is enough: there is nothing to guess from it).
 */
@Entity('api_token')
@Check('ck_api_token_role', `"role" IN (${ROLES.map((r) => `'${r}'`).join(', ')})`)
@Check('ck_api_token_scope', '"administrative_unit_id" IS NULL OR "agency_id" IS NULL')
@Index('uq_api_token_secret_hash', ['secretHash'], { unique: true })
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Who holds it: a person and their office, or a service ("poller at Sở TT&TT"). The audit log names them. */
  @Column({ type: 'varchar', length: 200 })
  owner: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  /** Scope: an administrative unit and everything beneath it; neither this nor agencyId is the whole country. */
  @Column({ type: 'uuid', nullable: true })
  administrativeUnitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_api_token_administrative_unit' })
  administrativeUnit?: AdministrativeUnit | null;

  /** Scope: one agency and its subordinate agencies. */
  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_api_token_agency' })
  agency?: Agency | null;

  /** SHA-256 of the token, hex. */
  @Column({ type: 'char', length: 64 })
  secretHash: string;

  /** The token's first characters, to tell tokens apart in lists ("hat_Xy3q"). */
  @Column({ type: 'varchar', length: 12 })
  prefix: string;

  /** Addresses or CIDR blocks the token may be used from; null for anywhere. */
  @Column({ type: 'text', array: true, nullable: true })
  allowedAddresses: string[] | null;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Updated at most once a minute. */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  @Column({ type: 'text', nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
