import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_ACTIONS = ['create', 'update', 'delete'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change to one record: who, when, through what, and the record before and after. */
@Entity('audit_entry')
@Check('ck_audit_entry_action', `"action" IN ('create', 'update', 'delete')`)
@Index('ix_audit_entry_entity', ['entityType', 'entityId'])
@Index('ix_audit_entry_occurred_at', ['occurredAt'])
@Index('ix_audit_entry_place', { synchronize: false }) // text_pattern_ops, see migration
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 200 })
  actor: string;

  /** The API token the change was made with; null for the CLI, seeds and the poller. */
  @Column({ type: 'uuid', nullable: true })
  tokenId: string | null;

  /** Path of the administrative unit the changed record sits in; null for records of no place. */
  @Column({ type: 'text', nullable: true })
  place: string | null;

  /** api, bulk, import, cli, seed, poller. */
  @Column({ type: 'varchar', length: 20 })
  source: string;

  @Column({ type: 'varchar', length: 10 })
  action: AuditAction;

  @Column({ type: 'varchar', length: 40 })
  entityType: string;

  @Column({ type: 'varchar', length: 64 })
  entityId: string;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;
}
