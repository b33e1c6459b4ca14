import { Body, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res, type Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change, IdList, Input, OneOrMany } from './http';
import { etagOf, type Identified, type InventoryResource } from './inventory-resource';
import type { ListQuery, Page } from './list-query';

/** What a bulk item adds to its record's fields: the record's id and, optionally, the ETag read. */
const BULK_ITEM = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    ifMatch: { type: 'string', description: "The record's ETag as read: the write is refused (412) if it changed since" },
  },
};

export interface ResourceRoutes<C extends object, U extends object, Q extends ListQuery> {
  /** Plural in messages, e.g. "devices". */
  plural: string;
  create: Type<C>;
  update: Type<U>;
  query: Type<Q>;
  /** The permission writes need; reads need inventory:read. */
  write: Permission;
  /** The record's entity: its name names the record's schema in the API document. */
  entity: Type<unknown>;
}

/**
 * The routes every inventory list has: list with filters, read, create one or many, update one
 * or many, delete one or many. Bulk writes are atomic.
 */
export function ResourceController<E extends Identified, C extends object, U extends object, Q extends ListQuery>(
  routes: ResourceRoutes<C, U, Q>,
) {
  const one = { $ref: `#/components/schemas/${routes.entity.name}` };
  const many = { type: 'array', items: one };
  @ApiExtraModels(routes.create, routes.update, routes.query)
  abstract class Routes {
    abstract readonly service: InventoryResource<E, C, U>;

    @Get()
    @Requires(Permission.InventoryRead)
    @ApiOperation({ summary: `List ${routes.plural}`, description: 'Filters, `q` search without diacritics, `sort`, paging by limit/offset or cursor; the response has the total.' })
    @ApiQuery({ name: 'filters', required: false, type: routes.query, style: 'form', explode: true })
    @ApiOkResponse({ description: 'A page of the list', schema: { $ref: `#/components/schemas/${routes.entity.name}Page` } })
    list(@Query(new Input(routes.query)) query: Q, @CallerScope() scope: Scope): Promise<Page<E>> {
      return this.service.list(query, scope);
    }

    @Get(':id')
    @Requires(Permission.InventoryRead)
    @ApiOperation({ summary: `Read one of the ${routes.plural}`, description: 'The `ETag` header is the record\'s version: send it back as `If-Match` on PATCH or DELETE.' })
    @ApiOkResponse({ description: 'The record; the ETag header is its version', schema: one, headers: { ETag: { schema: { type: 'string' } } } })
    async get(@Param('id', new ParseUUIDPipe()) id: string, @CallerScope() scope: Scope, @Res({ passthrough: true }) res: Response): Promise<E> {
      const record = await this.service.get(id, scope);
      res.setHeader('ETag', etagOf(record));
      return record;
    }

    @Post()
    @Requires(routes.write)
    @ApiOperation({ summary: `Create one, or many at once (send an array: all or nothing)` })
    @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(routes.create) }, { type: 'array', items: { $ref: getSchemaPath(routes.create) } }] } })
    @ApiCreatedResponse({ description: 'The record created, or the records in the order sent', schema: { oneOf: [one, many] } })
    async create(@Body(new OneOrMany(routes.create)) body: { items: C[]; many: boolean }, @Change() ctx: ChangeContext): Promise<E | E[]> {
      const out = await this.service.createMany(body.items, ctx);
      return body.many ? out : out[0];
    }

    @Patch()
    @Requires(routes.write)
    @ApiOperation({
      summary: `Update many at once: an array of partial records with their id (all or nothing)`,
      description: "An item's `ifMatch` (its record's ETag as read) makes the whole write wait for nobody else's change: 412 if any of them changed since.",
    })
    @ApiBody({ schema: { type: 'array', items: { allOf: [{ $ref: getSchemaPath(routes.update) }, BULK_ITEM] } } })
    @ApiOkResponse({ description: 'The updated records, in the order sent', schema: many })
    @ApiResponse({ status: 412, description: "A record changed since the version named in its item's ifMatch; nothing was written" })
    async updateMany(@Body(new OneOrMany(routes.update, true)) body: { items: Array<U & Identified>; ifMatch: Record<string, string> }, @Change() ctx: ChangeContext): Promise<E[]> {
      return this.service.updateMany(body.items, { ...ctx, source: 'bulk' }, body.ifMatch);
    }

    @Patch(':id')
    @Requires(routes.write)
    @ApiOperation({ summary: 'Update fields of one record', description: 'With `If-Match: <ETag>`, only if nobody changed the record since it was read (412 otherwise).' })
    @ApiBody({ type: routes.update })
    @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of the version read' })
    @ApiOkResponse({ description: 'The record as updated; the ETag header is its new version', schema: one })
    @ApiResponse({ status: 412, description: 'The record changed since the version named in If-Match' })
    async update(
      @Param('id', new ParseUUIDPipe()) id: string,
      @Body(new Input(routes.update)) patch: U,
      @Change() ctx: ChangeContext,
      @Headers('if-match') ifMatch: string | undefined,
      @Res({ passthrough: true }) res: Response,
    ): Promise<E> {
      const record = await this.service.update(id, patch, ctx, ifMatch);
      res.setHeader('ETag', etagOf(record));
      return record;
    }

    @Delete()
    @Requires(routes.write)
    @HttpCode(204)
    @ApiOperation({
      summary: 'Delete many at once: an array of ids, or of {id, ifMatch} (all or nothing)',
      description: 'An item with `ifMatch` (its record\'s ETag as read) is deleted only if nobody changed it since: 412 otherwise, and nothing is deleted.',
    })
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiResponse({ status: 412, description: "A record changed since the version named in its item's ifMatch; nothing was deleted" })
    @ApiBody({ schema: { type: 'array', items: { oneOf: [{ type: 'string', format: 'uuid' }, BULK_ITEM] } } })
    async removeMany(@Body(new IdList()) body: { ids: string[]; ifMatch: Record<string, string> }, @Change() ctx: ChangeContext): Promise<void> {
      await this.service.removeMany(body.ids, { ...ctx, source: 'bulk' }, body.ifMatch);
    }

    @Delete(':id')
    @Requires(routes.write)
    @HttpCode(204)
    @ApiOperation({ summary: 'Delete one record', description: 'With `If-Match: <ETag>`, only if nobody changed the record since it was read (412 otherwise).' })
    @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag of the version read' })
    @ApiNoContentResponse({ description: 'Deleted' })
    @ApiResponse({ status: 412, description: 'The record changed since the version named in If-Match' })
    async remove(@Param('id', new ParseUUIDPipe()) id: string, @Change() ctx: ChangeContext, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
      await this.service.remove(id, ctx, ifMatch);
    }
  }
  return Routes;
}
