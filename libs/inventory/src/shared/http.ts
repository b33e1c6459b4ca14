import { createParamDecorator, type ExecutionContext, Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { type Principal, principalOf } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { atIndex, type FieldProblem, InventoryError } from './inventory-error';
import { validateInput } from './validation';

export const MAX_BULK = 10_000;

/** Who is changing what, from the request's token: its owner, its id, its scope. */
export const Change = createParamDecorator((_: unknown, ctx: ExecutionContext): ChangeContext => {
  const req = ctx.switchToHttp().getRequest<{ body?: unknown; principal?: Principal }>();
  const caller = principalOf(req);
  return { actor: caller.owner, tokenId: caller.tokenId, scope: caller.scope, source: Array.isArray(req.body) ? 'bulk' : 'api' };
});

/** Validates a body or query against a DTO class strictly (unknown fields rejected). */
@Injectable()
export class Input<T extends object> implements PipeTransform<unknown, Promise<T>> {
  constructor(private readonly dto: Type<T>) {}

  async transform(value: unknown): Promise<T> {
    const { value: out, problems } = await validateInput(this.dto, value ?? {});
    if (problems.length) throw InventoryError.invalid('The request is not valid', problems);
    return out;
  }
}

/** An item's `ifMatch` in a bulk write: the ETag of the version read, as If-Match is for one record. */
function ifMatchProblem(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' && v.length <= 200 ? null : "the ETag of the version you read (the record's ETag header), as If-Match";
}

/**
 * A JSON object, or an array of them for an atomic bulk write; always handed on as an array. With
 * `withId` (bulk update) each item names its record by `id` and may carry `ifMatch`, that record's
 * ETag as read: the whole write is refused (412) if any of them changed since.
 */
@Injectable()
export class OneOrMany<T extends object> implements PipeTransform<unknown, Promise<{ items: T[]; many: boolean; ifMatch: Record<string, string> }>> {
  constructor(
    private readonly dto: Type<T>,
    private readonly withId = false,
  ) {}

  async transform(value: unknown): Promise<{ items: T[]; many: boolean; ifMatch: Record<string, string> }> {
    const many = Array.isArray(value);
    const list = many ? (value as unknown[]) : [value];
    if (many && list.length === 0) throw InventoryError.invalid('Empty list', [{ field: '', message: 'the list is empty' }]);
    if (list.length > MAX_BULK) {
      throw InventoryError.invalid('Too many items', [{ field: '', message: `at most ${MAX_BULK} items per request; import a spreadsheet for more` }]);
    }
    const problems: FieldProblem[] = [];
    const items: T[] = [];
    const ifMatch: Record<string, string> = {};
    for (const [i, raw] of list.entries()) {
      let body = raw;
      let id: unknown;
      if (this.withId && raw && typeof raw === 'object') {
        let etag: unknown;
        ({ id, ifMatch: etag, ...body } = raw as Record<string, unknown>);
        if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) problems.push({ field: 'id', message: 'each item needs the id of the record to change' });
        else if (etag !== undefined) {
          const wrong = ifMatchProblem(etag);
          if (wrong) problems.push({ field: 'ifMatch', message: wrong, value: etag });
          else ifMatch[id] = etag as string;
        }
      }
      const { value: item, problems: p } = await validateInput(this.dto, body);
      const all = [...(this.withId ? problems.splice(0) : []), ...p];
      problems.push(...(many ? atIndex(i, all) : all));
      items.push(this.withId ? Object.assign(item ?? {}, { id }) : item);
    }
    if (problems.length) throw InventoryError.invalid('The request is not valid', problems);
    return { items, many, ifMatch };
  }
}

/**
 * A list of ids for a bulk delete: plain ids, or `{"id": …, "ifMatch": <ETag>}` to delete a record
 * only if it is still the version read (the whole delete is refused with 412 otherwise).
 */
@Injectable()
export class IdList implements PipeTransform<unknown, { ids: string[]; ifMatch: Record<string, string> }> {
  transform(value: unknown): { ids: string[]; ifMatch: Record<string, string> } {
    if (!Array.isArray(value) || value.length === 0) throw InventoryError.invalid('Expected ids', [{ field: '', message: 'send a JSON array of ids (or of {"id": …, "ifMatch": …})' }]);
    if (value.length > MAX_BULK) throw InventoryError.invalid('Too many items', [{ field: '', message: `at most ${MAX_BULK} items per request` }]);
    const problems: FieldProblem[] = [];
    const ids: string[] = [];
    const ifMatch: Record<string, string> = {};
    value.forEach((v, i) => {
      const item: Record<string, unknown> = v && typeof v === 'object' ? (v as Record<string, unknown>) : { id: v };
      const { id, ifMatch: etag, ...rest } = item;
      if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) problems.push({ field: v && typeof v === 'object' ? `[${i}].id` : `[${i}]`, message: 'not a UUID', value: id });
      else ids.push(id);
      if (etag !== undefined) {
        const wrong = ifMatchProblem(etag);
        if (wrong) problems.push({ field: `[${i}].ifMatch`, message: wrong, value: etag });
        else if (typeof id === 'string') ifMatch[id] = etag as string;
      }
      for (const k of Object.keys(rest)) problems.push({ field: `[${i}].${k}`, message: 'unknown field: an item to delete has only id and ifMatch' });
    });
    if (problems.length) throw InventoryError.invalid('The request is not valid', problems);
    return { ids, ifMatch };
  }
}
