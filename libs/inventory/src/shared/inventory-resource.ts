import { createHash, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager, type EntityTarget, type FindOperator, QueryFailedError, Raw, type SelectQueryBuilder } from 'typeorm';
import { describeScope, type Scope } from '../access/access';
import { agencyPaths, outsideField, type Place, type PlaceKind, unitPaths, whereVisible, whereWithin } from '../access/scope';
import type { AuditLog, ChangeContext } from '../audit/audit-log.service';
import { canonicalJson } from './canonical-json';
import { atIndex, type FieldProblem, InventoryError, InventoryErrorCode } from './inventory-error';
import { type ListQuery, type Page, paginate, type Sortable } from './list-query';

export interface Identified {
  id: string;
}

/** Filled by a write: the items (by their index in the request) that an update left as they were. */
export interface WriteOutcome {
  unchangedIndexes?: Set<number>;
}

/** A record as it will be after the write, with its place in the request, for the checks. */
export interface Candidate<E> {
  index: number;
  before: E | null;
  after: E;
}

const CHUNK = 500;

/** Unique and foreign-key constraints, named in the migration, mapped to the field a user typed. */
const CONSTRAINT_FIELDS: Record<string, { field: string; message: string }> = {
  uq_device_serial_number: { field: 'serialNumber', message: 'another device already has this serial number' },
  uq_device_workstation_position: { field: 'staffPosition', message: 'this staff position already has a workstation' },
  uq_agency_code: { field: 'code', message: 'another agency already has this code' },
  uq_wan_link_circuit: { field: 'circuitId', message: 'this provider already has a link with this circuit id' },
  uq_administrative_unit_current_code: { field: 'code', message: 'a current unit already has this code' },
  fk_device_agency: { field: 'agencyId', message: 'no such agency' },
  fk_lan_agency: { field: 'agencyId', message: 'no such agency' },
  fk_wan_link_agency: { field: 'agencyId', message: 'no such agency' },
  fk_device_lan: { field: 'lanId', message: 'no such LAN' },
  fk_wan_link_device: { field: 'deviceId', message: 'no such device' },
  fk_agency_administrative_unit: { field: 'administrativeUnitId', message: 'no such administrative unit' },
  fk_agency_parent: { field: 'parentId', message: 'no such agency' },
  fk_administrative_unit_parent: { field: 'parentId', message: 'no such administrative unit' },
};

/**
 * Create, read, update, delete and list for one kind of inventory record. Writes of one item,
 * a bulk list or a spreadsheet all go through `write`: one transaction, every item checked
 * before anything is written, each change recorded in the audit log.
 */
export abstract class InventoryResource<E extends Identified, C extends object, U extends object> {
  /** Audit entity type and the word in messages: 'device'. */
  abstract readonly type: string;
  protected abstract readonly entity: EntityTarget<E>;
  protected abstract readonly alias: string;
  protected abstract readonly sortable: Sortable;
  /** Where a record of this kind sits, for scopes. */
  protected abstract readonly place: PlaceKind;

  constructor(
    protected readonly ds: DataSource,
    protected readonly audit: AuditLog,
  ) {}

  /**
   * Problems of each candidate that need the database: references, uniqueness, cross-field
   * rules. May also fill fields derived from other records (a unit's path).
   */
  protected abstract check(candidates: Candidate<E>[], m: EntityManager): Promise<Map<number, FieldProblem[]>>;

  /** The list query with the resource's filters applied (no paging). */
  protected abstract filtered(query: ListQuery, m?: EntityManager): Promise<SelectQueryBuilder<E>>;

  /** Problems that block deleting these records (something still refers to them). */
  protected blockersOfDelete(_ids: string[], _m: EntityManager): Promise<Map<string, string>> {
    return Promise.resolve(new Map());
  }

  /** Runs after the rows are written, in the same transaction (e.g. re-pathing a moved subtree). */
  protected afterWrite(_candidates: Candidate<E>[], _m: EntityManager): Promise<void> {
    return Promise.resolve();
  }

  protected repo(m: EntityManager = this.ds.manager) {
    return m.getRepository(this.entity);
  }

  /** The records matching the filters that the scope can see. */
  async list(query: ListQuery, scope: Scope, options: { count?: boolean } = {}): Promise<Page<E>> {
    return paginate(whereVisible(await this.filtered(query), scope, this.place, this.alias), query, this.sortable, `"${this.alias}"`, options);
  }

  /** Every row matching the filters, in pages of 1,000 by exact cursor (for exports); no page counts the total. */
  async *all(query: ListQuery, scope: Scope): AsyncGenerator<E[]> {
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ ...query, limit: 1000, offset: undefined, cursor }, scope, { count: false });
      if (page.items.length) yield page.items;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }

  /** One record; one outside the scope does not exist for the caller. */
  async get(id: string, scope: Scope, m?: EntityManager): Promise<E> {
    const found = isUuid(id) ? await whereVisible(this.repo(m).createQueryBuilder(this.alias).where(`${this.alias}.id = :id`, { id }), scope, this.place, this.alias).getOne() : null;
    if (!found) throw InventoryError.notFound(this.type, id);
    return found;
  }

  /** Of these ids, the records the scope can see: the others do not exist for the caller. */
  async visibleIds(ids: string[], scope: Scope, m: EntityManager = this.ds.manager): Promise<Set<string>> {
    const out = new Set<string>();
    const valid = [...new Set(ids.filter(isUuid))];
    for (let i = 0; i < valid.length; i += 5000) {
      const qb = this.repo(m).createQueryBuilder(this.alias).select(`${this.alias}.id`, 'id').where(`${this.alias}.id = ANY(:ids)`, { ids: valid.slice(i, i + 5000) });
      for (const r of (await whereVisible(qb, scope, this.place, this.alias).getRawMany()) as Array<{ id: string }>) out.add(r.id);
    }
    return out;
  }

  /** Whether the scope may change this record (within it, not above it); 404 when it may not see it either. */
  async getWritable(id: string, scope: Scope, m?: EntityManager): Promise<E> {
    const found = isUuid(id) ? await whereWithin(this.repo(m).createQueryBuilder(this.alias).where(`${this.alias}.id = :id`, { id }), scope, this.place, this.alias).getOne() : null;
    if (found) return found;
    await this.get(id, scope, m);
    throw InventoryError.forbidden(`This ${this.type} is outside your scope (${describeScope(scope)})`);
  }

  /** A record the scope may change, with the path of the unit it sits in (for its audit entry). */
  async writablePlace(id: string, scope: Scope, m?: EntityManager): Promise<{ record: E; path: string }> {
    const record = await this.getWritable(id, scope, m);
    return { record, path: (await this.placesOf([record], m)).get(record.id)!.path };
  }

  /** Each record's place in the hierarchy, by id. */
  async placesOf(rows: E[], m: EntityManager = this.ds.manager): Promise<Map<string, Place>> {
    const out = new Map<string, Place>();
    const r = rows as unknown as Array<{ id: string; path?: string; administrativeUnitId?: string; agencyId?: string; parentId?: string | null }>;
    if (this.place === 'unit') {
      for (const u of r) out.set(u.id, { path: u.path ?? '', agencyIds: [] });
    } else if (this.place === 'agency') {
      const paths = await unitPaths(r.map((a) => a.administrativeUnitId!), m);
      const parents = await agencyPaths(r.flatMap((a) => (a.parentId ? [a.parentId] : [])), m);
      for (const a of r) {
        const parent = a.parentId ? parents.get(a.parentId) : undefined;
        out.set(a.id, { path: paths.get(a.administrativeUnitId!) ?? '', agencyIds: [a.id, ...(a.parentId ? [a.parentId] : [])], refs: parent === undefined ? [] : [{ field: 'parentId', path: parent }] });
      }
    } else {
      const paths = await agencyPaths(r.map((x) => x.agencyId!), m);
      for (const x of r) out.set(x.id, { path: paths.get(x.agencyId!) ?? '', agencyIds: [x.agencyId!] });
    }
    return out;
  }

  async create(input: C, ctx: ChangeContext): Promise<E> {
    return (await this.write({ create: [input] }, ctx))[0];
  }

  /** `ifMatch`: the If-Match header; the update is refused (412) unless the record is still that version. */
  async update(id: string, patch: U, ctx: ChangeContext, ifMatch?: string): Promise<E> {
    return (await this.write({ update: [{ ...patch, id }] }, ctx, undefined, { ifMatch: ifMatch === undefined ? undefined : { [id]: ifMatch } }))[0];
  }

  async remove(id: string, ctx: ChangeContext, ifMatch?: string): Promise<void> {
    await this.write({ delete: [id] }, ctx, undefined, { ifMatch: ifMatch === undefined ? undefined : { [id]: ifMatch } });
  }

  createMany(inputs: C[], ctx: ChangeContext): Promise<E[]> {
    return this.write({ create: inputs }, ctx);
  }

  /** `ifMatch`: per record id, the ETag its item said it read; any stale one refuses the whole write (412). */
  updateMany(patches: Array<U & Identified>, ctx: ChangeContext, ifMatch?: Record<string, string>): Promise<E[]> {
    return this.write({ update: patches }, ctx, undefined, { ifMatch });
  }

  async removeMany(ids: string[], ctx: ChangeContext, ifMatch?: Record<string, string>): Promise<void> {
    await this.write({ delete: ids }, ctx, undefined, { ifMatch });
  }

  /**
   * Turns a create input into the record to insert (defaults, derived fields). Internal callers
   * may pre-assign `id` (an import linking new rows to each other); API input cannot carry one.
   */
  protected build(input: C): E {
    return { ...(input as object), id: newId(input) } as unknown as E;
  }

  /** Applies a patch to a record; fields absent from the patch keep their value. */
  protected merge(before: E, patch: U): E {
    const after = { ...before } as Record<string, unknown>;
    for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== 'id') after[k] = v;
    return after as E;
  }

  /**
   * All-or-nothing: creates, updates and deletes in one transaction, or nothing and every problem.
   * Problems name their item (`[3].serialNumber`) when the write has several items, or always with
   * `indexed` (an import maps the index back to its row, even for a file of one row).
   */
  async write(
    ops: { create?: C[]; update?: Array<U & Identified>; delete?: string[] },
    ctx: ChangeContext,
    m?: EntityManager,
    options: { indexed?: boolean; ifMatch?: Record<string, string>; outcome?: WriteOutcome } = {},
  ): Promise<E[]> {
    const run = (tx: EntityManager) => this.writeIn(tx, ops, ctx, options.indexed ?? false, options.ifMatch, options.outcome);
    try {
      return m ? await run(m) : await this.ds.transaction(run);
    } catch (err) {
      throw translateDatabaseError(err);
    }
  }

  private async writeIn(
    m: EntityManager,
    ops: { create?: C[]; update?: Array<U & Identified>; delete?: string[] },
    ctx: ChangeContext,
    indexed: boolean,
    ifMatch?: Record<string, string>,
    outcome?: WriteOutcome,
  ): Promise<E[]> {
    const creates = ops.create ?? [];
    const updates = ops.update ?? [];
    const deletes = ops.delete ?? [];
    const bulk = indexed || creates.length + updates.length + deletes.length > 1;
    const problems: FieldProblem[] = [];

    const updateIds = updates.map((u) => u.id);
    // The rows to change are locked until the transaction ends: a concurrent writer waits, then
    // reads what this one wrote, so no update is lost and each audit entry's `before` is the
    // previous one's `after`.
    const existing = await this.loadMany([...updateIds, ...deletes], m, ctx.scope, true);
    // If-Match on one record, or an `ifMatch` per item of a bulk write: any stale one refuses it all.
    const stale: Array<FieldProblem & { now: string }> = [];
    for (const [id, expected] of Object.entries(ifMatch ?? {})) {
      const current = existing.get(id);
      if (current && !etagMatches(expected, etagOf(current))) {
        const at = updateIds.indexOf(id);
        const field = bulk ? `[${at >= 0 ? at : deletes.indexOf(id)}].ifMatch` : 'If-Match';
        stale.push({ field, message: `${expected} is not the current version (now ${etagOf(current)})`, now: etagOf(current) });
      }
    }
    if (stale.length) {
      const detail =
        stale.length === 1 && !bulk
          ? `This ${this.type} has changed since you read it: read it again (its ETag is now ${stale[0].now}) and redo the change`
          : `${stale.length} of these records have changed since you read them: read them again and redo the change; nothing was written`;
      throw new InventoryError(InventoryErrorCode.PreconditionFailed, detail, stale.map(({ now: _, ...p }) => p));
    }
    // A record the writer cannot see does not exist for it, in every message (as a GET says): a
    // bulk write names a foreign id exactly as it names an unknown one. One it can see but not
    // change (above its scope) is named as such.
    const seenNotWritable = bulk ? await this.visibleIds([...updateIds, ...deletes].filter((id) => !existing.has(id)), ctx.scope, m) : new Set<string>();
    const missing = (id: string) => (seenNotWritable.has(id) ? `${this.type} ${id} is outside your scope (${describeScope(ctx.scope)})` : `${this.type} ${id} does not exist`);
    const seen = new Set<string>();
    // A field the input left out takes its default before the checks (a validated DTO carries it as
    // undefined, which would hide the default: an "active" device without commissionedOn got through).
    const candidates: Candidate<E>[] = creates.map((c, index) => ({ index, before: null, after: this.build(withoutUndefined(c)) }));
    updates.forEach((u, i) => {
      const index = creates.length + i;
      const before = existing.get(u.id);
      if (!before) problems.push({ field: bulk ? `[${index}].id` : 'id', message: missing(u.id) });
      else if (seen.has(u.id)) problems.push({ field: `[${index}].id`, message: `${this.type} ${u.id} appears twice in this request` });
      else candidates.push({ index, before, after: this.merge(before, u) });
      seen.add(u.id);
    });
    deletes.forEach((id, i) => {
      if (!existing.has(id)) problems.push({ field: bulk ? `[${creates.length + updates.length + i}]` : 'id', message: missing(id) });
    });
    if (problems.length && !bulk) throw InventoryError.notFound(this.type, (updateIds[0] ?? deletes[0])!);

    const found = await this.check(candidates, m);
    for (const c of candidates) {
      const p = found.get(c.index);
      if (p?.length) problems.push(...(bulk ? atIndex(c.index, p) : p));
    }
    const places = await this.placesOf([...candidates.map((c) => c.after), ...deletes.flatMap((id) => (existing.has(id) ? [existing.get(id)!] : []))], m);
    let outside = seenNotWritable.size > 0;
    for (const c of candidates) {
      const field = outsideField(ctx.scope, places.get(c.after.id)!, this.scopeField());
      if (field !== null) {
        const p = [{ field, message: `outside your scope (${describeScope(ctx.scope)})` }];
        problems.push(...(bulk ? atIndex(c.index, p) : p));
        outside = true;
      }
    }
    // Every problem is listed; one record outside the writer's scope makes the answer a 403.
    if (outside) throw InventoryError.forbidden(`You may not write this ${this.type} data outside your scope`, problems);
    const blockers = await this.blockersOfDelete(deletes.filter((id) => existing.has(id)), m);
    deletes.forEach((id, i) => {
      const why = blockers.get(id);
      if (why) problems.push({ field: bulk ? `[${creates.length + updates.length + i}]` : 'id', message: why });
    });
    if (problems.length) {
      const conflict = !bulk && blockers.size > 0;
      throw new InventoryError(
        conflict ? InventoryErrorCode.InUse : InventoryErrorCode.Invalid,
        conflict ? `This ${this.type} is still in use` : `The ${this.type} data is not valid`,
        problems,
      );
    }

    const inserted = candidates.filter((c) => c.before === null).map((c) => c.after);
    for (let i = 0; i < inserted.length; i += CHUNK) {
      await m.createQueryBuilder().insert().into(this.entity).values(inserted.slice(i, i + CHUNK) as never).execute();
    }
    await this.updateChanged(m, candidates.filter((c) => c.before !== null));
    if (deletes.length) await this.repo(m).delete({ id: anyOf(deletes) } as never);
    await this.afterWrite(candidates, m);

    const written = await this.loadMany(candidates.map((c) => c.after.id), m);
    // An update that changes nothing writes nothing: no audit entry whose before equals its after.
    const unchanged = new Set(candidates.filter((c) => c.before !== null && Object.keys(this.changedFields(c.before, c.after)).length === 0).map((c) => c.index));
    if (outcome) outcome.unchangedIndexes = unchanged;
    await this.audit.record(m, ctx, [
      ...candidates.filter((c) => !unchanged.has(c.index)).map((c) => ({
        action: c.before ? ('update' as const) : ('create' as const),
        entityType: this.type,
        entityId: c.after.id,
        before: c.before,
        after: written.get(c.after.id) ?? c.after,
        place: places.get(c.after.id)?.path ?? null,
      })),
      ...deletes.map((id) => ({ action: 'delete' as const, entityType: this.type, entityId: id, before: existing.get(id) ?? null, after: null, place: places.get(id)?.path ?? null })),
    ]);
    return candidates.sort((a, b) => a.index - b.index).map((c) => written.get(c.after.id) ?? c.after);
  }

  /**
   * Writes the changed fields of updated records, one statement per 1,000 records that change the
   * same fields: UPDATE … FROM unnest(ids, values…), typed from the entity's columns.
   */
  private async updateChanged(m: EntityManager, updated: Candidate<E>[]): Promise<void> {
    const meta = m.connection.getMetadata(this.entity);
    const groups = new Map<string, E[]>();
    for (const c of updated) {
      const fields = Object.keys(this.changedFields(c.before!, c.after)).sort();
      if (!fields.length) continue;
      const key = fields.join(',');
      const group = groups.get(key);
      if (group) group.push(c.after);
      else groups.set(key, [c.after]);
    }
    for (const [key, rows] of groups) {
      const columns = key.split(',').map((f) => meta.findColumnWithPropertyName(f)!);
      const id = meta.primaryColumns[0];
      const all = [id, ...columns];
      const set = columns.map((c) => `"${c.databaseName}" = v."${c.databaseName}"`);
      if (meta.updateDateColumn) set.push(`"${meta.updateDateColumn.databaseName}" = now()`);
      const sql = `UPDATE "${meta.tableName}" t SET ${set.join(', ')}
        FROM unnest(${all.map((c, i) => `$${i + 1}::${m.connection.driver.normalizeType(c)}[]`).join(', ')}) AS v(${all.map((c) => `"${c.databaseName}"`).join(', ')})
        WHERE t."${id.databaseName}" = v."${id.databaseName}"`;
      for (let i = 0; i < rows.length; i += CHUNK) {
        const chunk = rows.slice(i, i + CHUNK);
        await m.query(sql, all.map((c) => chunk.map((r) => c.getEntityValue(r, true) ?? null)));
      }
    }
  }

  protected changedFields(before: E, after: E): Partial<E> {
    const out: Record<string, unknown> = {};
    const b = before as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(after as object)) {
      if (k === 'updatedAt' || k === 'createdAt' || typeof v === 'object' && v !== null) continue;
      if (b[k] !== v) out[k] = v;
    }
    return out as Partial<E>;
  }

  /** The field a scope problem is reported on: the reference that places the record. */
  private scopeField(): string {
    return this.place === 'unit' ? 'parentId' : this.place === 'agency' ? 'administrativeUnitId' : 'agencyId';
  }

  /** Records by id; with a scope, only those the scope may change; `lock`: FOR UPDATE, in id order (no deadlock between two bulk writes). */
  protected async loadMany(ids: string[], m: EntityManager, scope?: Scope, lock = false): Promise<Map<string, E>> {
    const out = new Map<string, E>();
    const valid = [...new Set(ids.filter(isUuid))].sort();
    for (let i = 0; i < valid.length; i += 5000) {
      const qb = this.repo(m).createQueryBuilder(this.alias).where(`${this.alias}.id = ANY(:ids)`, { ids: valid.slice(i, i + 5000) });
      if (lock) qb.orderBy(`${this.alias}.id`).setLock('pessimistic_write', undefined, [this.alias]);
      const rows = await (scope ? whereWithin(qb, scope, this.place, this.alias) : qb).getMany();
      for (const r of rows) out.set(r.id, r);
    }
    return out;
  }
}

/**
 * A record's version as an HTTP entity tag: a digest of what the API returns for it. Any change
 * (its `updatedAt` included) gives another tag.
 */
export function etagOf(record: object): string {
  return `"${createHash('sha256').update(canonicalJson(record)).digest('base64url').slice(0, 22)}"`;
}

/** If-Match: `*`, or a comma-separated list of tags (weak `W/` tags never match: RFC 9110 compares strongly). */
export function etagMatches(header: string, current: string): boolean {
  return header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === current);
}

function withoutUndefined<T extends object>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

export function newId(input: object): string {
  return (input as Partial<Identified>).id ?? randomUUID();
}

export function isUuid(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** A constraint the checks did not catch (a concurrent write): still a clear answer, not a 500. */
export function translateDatabaseError(err: unknown): unknown {
  if (!(err instanceof QueryFailedError)) return err;
  const d = err.driverError as { code?: string; constraint?: string; detail?: string };
  const known = d.constraint ? CONSTRAINT_FIELDS[d.constraint] : undefined;
  if (d.code === '23505') {
    return new InventoryError(InventoryErrorCode.Conflict, 'A unique value is already taken', [
      { field: known?.field ?? d.constraint ?? '', message: known?.message ?? d.detail ?? 'duplicate value' },
    ]);
  }
  if (d.code === '23503') {
    return new InventoryError(InventoryErrorCode.UnknownReference, 'A referenced record does not exist or is still referenced', [
      { field: known?.field ?? d.constraint ?? '', message: known?.message ?? d.detail ?? 'reference violation' },
    ]);
  }
  if (d.code === '23514' || d.code === '22P02' || d.code === '22007' || d.code === '22008' || d.code === '22003') {
    return InventoryError.invalid('A value is out of range', [{ field: d.constraint ?? '', message: err.message }]);
  }
  return err;
}

let anyParam = 0;
/** `column = ANY(:array)`: one bind parameter however many values (IN (...) stops at 65,535). */
export function anyOf<T>(values: T[]): FindOperator<T> {
  const name = `any_${++anyParam}`;
  return Raw((column) => `${column} = ANY(:${name})`, { [name]: values }) as FindOperator<T>;
}

export function notAnyOf<T>(values: T[]): FindOperator<T> {
  const name = `notany_${++anyParam}`;
  return Raw((column) => `NOT (${column} = ANY(:${name}))`, { [name]: values }) as FindOperator<T>;
}
