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

/** A JSON object, or an array of them for an atomic bulk write; always handed on as an array. */
@Injectable()
export class OneOrMany<T extends object> implements PipeTransform<unknown, Promise<{ items: T[]; many: boolean }>> {
  constructor(
    private readonly dto: Type<T>,
    private readonly withId = false,
  ) {}

  async transform(value: unknown): Promise<{ items: T[]; many: boolean }> {
    const many = Array.isArray(value);
    const list = many ? (value as unknown[]) : [value];
    if (many && list.length === 0) throw InventoryError.invalid('Empty list', [{ field: '', message: 'the list is empty' }]);
    if (list.length > MAX_BULK) {
      throw InventoryError.invalid('Too many items', [{ field: '', message: `at most ${MAX_BULK} items per request; import a spreadsheet for more` }]);
    }
    const problems: FieldProblem[] = [];
    const items: T[] = [];
    for (const [i, raw] of list.entries()) {
      let body = raw;
      let id: unknown;
      if (this.withId && raw && typeof raw === 'object') {
        ({ id, ...body } = raw as Record<string, unknown>);
        if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) problems.push({ field: 'id', message: 'each item needs the id of the record to change' });
      }
      const { value: item, problems: p } = await validateInput(this.dto, body);
      const all = [...(this.withId ? problems.splice(0) : []), ...p];
      problems.push(...(many ? atIndex(i, all) : all));
      items.push(this.withId ? Object.assign(item ?? {}, { id }) : item);
    }
    if (problems.length) throw InventoryError.invalid('The request is not valid', problems);
    return { items, many };
  }
}

/** A list of ids for a bulk delete. */
@Injectable()
export class IdList implements PipeTransform<unknown, string[]> {
  transform(value: unknown): string[] {
    const ids = Array.isArray(value) ? value.map((v) => (v && typeof v === 'object' ? (v as { id?: unknown }).id : v)) : null;
    if (!ids?.length) throw InventoryError.invalid('Expected ids', [{ field: '', message: 'send a JSON array of ids (or of {"id": …})' }]);
    const problems = ids.flatMap((id, i) => (typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? [] : [{ field: `[${i}]`, message: 'not a UUID', value: id }]));
    if (problems.length) throw InventoryError.invalid('The request is not valid', problems);
    return ids as string[];
  }
}
