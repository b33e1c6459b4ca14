import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { InventoryError } from './inventory-error';

export const MAX_PAGE = 1000;
/** The deepest offset; beyond it, page by cursor (an offset makes the database walk every row before it). */
export const MAX_OFFSET = 1_000_000;

/** Paging alone: the lists that are short by nature (tokens, plans, indicators) take only this. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 50 })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OFFSET, default: 0, description: 'Rows to skip; use `cursor` instead for deep pages.' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt()
  @Min(0)
  @Max(MAX_OFFSET, { message: `offset must not be greater than ${MAX_OFFSET}; page by cursor (nextCursor) to go deeper` })
  offset?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** The paging, sorting and search parameters every list takes. Filters are declared per resource. */
export class ListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'A field name, `-` in front for descending, e.g. `-commissionedOn`.' })
  @IsOptional()
  @Matches(/^-?[A-Za-z]+$/, { message: 'sort must be a field name, optionally prefixed with -' })
  sort?: string;

  @ApiPropertyOptional({ description: 'Search, insensitive to case and Vietnamese diacritics.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface Sortable {
  /** API field → SQL expression over the list's alias. */
  fields: Record<string, string>;
  default: string;
}

interface Cursor {
  r: string; // the list it was made for
  s: string; // sort spec it was made for
  v: string | null; // last row's sort value, as PostgreSQL's text (exact: a timestamp keeps its microseconds)
  id: string; // last row's id, the tie-breaker
}

/**
 * Applies sorting and paging to a query already filtered, and counts the total.
 * Keyset paging on (sort value, id) when a cursor is given, so deep pages stay fast.
 */
export async function paginate<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  query: ListQuery,
  sortable: Sortable,
  alias: string,
  options: { count?: boolean } = {},
): Promise<Page<T>> {
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  const spec = query.sort ?? sortable.default;
  const desc = spec.startsWith('-');
  const field = desc ? spec.slice(1) : spec;
  const expr = sortable.fields[field];
  if (!expr) {
    throw InventoryError.invalid('Unknown sort field', [
      { field: 'sort', message: `sort must be one of ${Object.keys(sortable.fields).join(', ')} (with - for descending)`, value: spec },
    ]);
  }
  const total = options.count === false ? -1 : await qb.clone().getCount();
  const dir = desc ? 'DESC' : 'ASC';
  const idExpr = `${alias}.id`;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    if (c.r !== alias) {
      throw InventoryError.invalid('Cursor of another list', [{ field: 'cursor', message: 'this cursor was made for another list' }]);
    }
    if (c.s !== spec) {
      throw InventoryError.invalid('Cursor does not match the sort', [{ field: 'cursor', message: 'this cursor was made for another sort order' }]);
    }
    const op = desc ? '<' : '>';
    if (c.v === null) {
      // NULLs sort last ascending and first descending in PostgreSQL.
      qb.andWhere(desc ? `(${expr} IS NOT NULL OR ${idExpr} ${op} :cursorId)` : `(${expr} IS NULL AND ${idExpr} ${op} :cursorId)`, { cursorId: c.id });
    } else {
      qb.andWhere(
        desc
          ? `(${expr} ${op} :cursorValue OR (${expr} = :cursorValue AND ${idExpr} ${op} :cursorId))`
          : `(${expr} ${op} :cursorValue OR (${expr} = :cursorValue AND ${idExpr} ${op} :cursorId) OR ${expr} IS NULL)`,
        { cursorValue: c.v, cursorId: c.id },
      );
    }
  } else if (offset) {
    qb.offset(offset);
  }
  // The sort value goes into the cursor as PostgreSQL prints it: a Date would drop the
  // microseconds, and rows sharing a timestamp would then page round in a loop.
  qb.addSelect(`(${expr})::text`, 'sort_value').orderBy(expr, dir).addOrderBy(idExpr, dir).limit(limit);
  const { entities, raw } = await qb.getRawAndEntities().catch((err: unknown) => {
    // A cursor's value is compared as the sort field's type: one that is not of that type (a
    // cursor edited by hand) is refused as the cursor it is, not a database failure.
    const code = (err as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (err as { code?: string }).code;
    if (query.cursor && typeof code === 'string' && code.startsWith('22')) throw InventoryError.invalid('Malformed cursor', [{ field: 'cursor', message: 'cursor is not one this API issued' }]);
    throw err;
  });
  let nextCursor: string | null = null;
  if (entities.length === limit) {
    const last = raw[raw.length - 1] as Record<string, unknown>;
    const lastEntity = entities[entities.length - 1] as unknown as { id: string };
    nextCursor = encodeCursor({ r: alias, s: spec, v: (last.sort_value as string | null) ?? null, id: lastEntity.id });
  }
  return { items: entities, total, limit, offset: query.cursor ? 0 : offset, nextCursor };
}

/**
 * A page of a list read whole (a short one): the same envelope and the same cursor protocol as
 * the database's lists, the cursor carrying the next offset.
 */
export function pageOf<T>(all: T[], query: PageQuery, list: string): Page<T> {
  const limit = query.limit ?? 50;
  let offset = query.offset ?? 0;
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    const at = Number(c.v);
    if (c.r !== list || c.s !== 'offset' || !Number.isSafeInteger(at) || at < 0) {
      throw InventoryError.invalid('Cursor of another list', [{ field: 'cursor', message: 'this cursor was made for another list' }]);
    }
    offset = at;
  }
  const items = all.slice(offset, offset + limit);
  const next = offset + limit;
  const nextCursor = next < all.length ? encodeCursor({ r: list, s: 'offset', v: String(next), id: '00000000-0000-0000-0000-000000000000' }) : null;
  return { items, total: all.length, limit, offset, nextCursor };
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    if (typeof c.r === 'string' && typeof c.s === 'string' && typeof c.id === 'string' && uuid.test(c.id) && (c.v === null || (typeof c.v === 'string' && !c.v.includes('\u0000')))) return c;
  } catch {
    // fall through
  }
  throw InventoryError.invalid('Malformed cursor', [{ field: 'cursor', message: 'cursor is not one this API issued' }]);
}
