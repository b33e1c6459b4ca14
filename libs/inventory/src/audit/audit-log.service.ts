import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Scope } from '../access/access';
import { fold, likeEscape } from '../shared/fold';
import { type ListQuery, type Page, paginate } from '../shared/list-query';
import { type AuditAction, AuditEntry } from './audit-entry.entity';

/** Who is making a change, through which door, and where they may write; every service write takes one. */
export interface ChangeContext {
  /** The token's owner, or the service's own name (`cli:…`, `poller@…`, `demo`). */
  actor: string;
  source: 'api' | 'bulk' | 'import' | 'cli' | 'seed' | 'poller';
  /** Writes outside it are refused; reads of records to change see nothing outside it. */
  scope: Scope;
  /** The API token the change was made with. */
  tokenId?: string | null;
}

export interface AuditRecord {
  action: AuditAction;
  entityType: string;
  entityId: string;
  before?: object | null;
  after?: object | null;
  /** The path of the administrative unit the record sits in, so scoped admins see its history. */
  place?: string | null;
}

export interface AuditFilter extends ListQuery {
  entityType?: string;
  entityId?: string;
  actor?: string;
  from?: string;
  to?: string;
}

const CHUNK = 1000;

@Injectable()
export class AuditLog {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Writes audit rows in the caller's transaction, so a change and its record commit together. */
  async record(m: EntityManager, ctx: ChangeContext, records: AuditRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK).map((r) => ({
        actor: ctx.actor,
        tokenId: ctx.tokenId ?? null,
        source: ctx.source,
        place: r.place ?? null,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        before: (r.before ? plain(r.before) : null) as Record<string, unknown> | null,
        after: (r.after ? plain(r.after) : null) as Record<string, unknown> | null,
      }));
      await m.createQueryBuilder().insert().into(AuditEntry).values(chunk as never).updateEntity(false).execute();
    }
  }

  /** Entries of the scope: changes to records within it (records with no place only for the whole country). */
  list(filter: AuditFilter, scope: Scope): Promise<Page<AuditEntry>> {
    const qb = this.ds.getRepository(AuditEntry).createQueryBuilder('e');
    if (scope.kind !== 'country') qb.andWhere(`e.place LIKE :scopeWithin ESCAPE '\\'`, { scopeWithin: `${likeEscape(scope.path)}%` });
    if (filter.entityType) qb.andWhere('e.entity_type = :entityType', { entityType: filter.entityType });
    if (filter.entityId) qb.andWhere('e.entity_id = :entityId', { entityId: filter.entityId });
    if (filter.actor) qb.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.q) {
      // Who, what, and the record's values before and after, without diacritics: "Nhon Chau" finds "Nhơn Châu".
      qb.andWhere(`hatang_fold(e.actor || ' ' || e.entity_type || ' ' || e.entity_id || ' ' || coalesce(e.before::text, '') || ' ' || coalesce(e.after::text, '')) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(fold(filter.q))}%` });
    }
    if (filter.from) qb.andWhere('e.occurred_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.occurred_at < :to', { to: filter.to });
    return paginate(qb, filter, { fields: { occurredAt: '"e"."occurred_at"', id: '"e"."id"' }, default: '-id' }, '"e"');
  }
}

/** JSON-safe copy without relation objects or undefined fields. */
function plain(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    // Relations (entity instances) are left out; plain JSON values (a definition, a list) are kept.
    if (v === undefined || (v !== null && typeof v === 'object' && !(v instanceof Date) && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) continue;
    out[k] = v instanceof Date ? v.toISOString() : v;
  }
  return out;
}
