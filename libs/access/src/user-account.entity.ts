import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AdministrativeUnit, Agency, type Role, ROLES } from '@app/inventory';

/**
 * A person who signs in to the console: the same roles and scopes as tokens. The password is kept
 * as a scrypt hash (`scrypt$N$r$p$salt$hash`, base64url), never as itself.
 */
@Entity('user_account')
@Check('ck_user_account_role', `"role" IN (${ROLES.map((r) => `'${r}'`).join(', ')})`)
@Check('ck_user_account_scope', '"administrative_unit_id" IS NULL OR "agency_id" IS NULL')
@Index('uq_user_account_username', ['username'], { unique: true })
export class UserAccount {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** What the person types to sign in: lower-case letters, digits, dot, dash, underscore. */
  @Column({ type: 'varchar', length: 64 })
  username: string;

  /** The name the audit log and the console show ("Nguyễn Văn A — Sở TT&TT"). */
  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'varchar', length: 200, select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  @Column({ type: 'uuid', nullable: true })
  administrativeUnitId: string | null;

  @ManyToOne(() => AdministrativeUnit, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'administrative_unit_id', foreignKeyConstraintName: 'fk_user_account_administrative_unit' })
  administrativeUnit?: AdministrativeUnit | null;

  @Column({ type: 'uuid', nullable: true })
  agencyId: string | null;

  @ManyToOne(() => Agency, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_user_account_agency' })
  agency?: Agency | null;

  /** A disabled account cannot sign in, and its sessions end. */
  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSignInAt: Date | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * A signed-in session. The browser holds a random id in an httpOnly cookie; only its SHA-256 is
 * kept here, with the CSRF token the console sends back on every write, and the expiry.
 */
@Entity('user_session')
@Index('uq_user_session_id_hash', ['idHash'], { unique: true })
@Index('ix_user_session_user', ['userId'])
export class UserSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'char', length: 64 })
  idHash: string;

  @Column({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserAccount, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_session_user' })
  user?: UserAccount;

  @Column({ type: 'varchar', length: 64 })
  csrfToken: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
