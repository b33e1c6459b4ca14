import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

type Schema = Record<string, unknown>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A schema of the API document by name (records get theirs from the database's columns). */
export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** An answer whose fields are described in the route's summary rather than a schema of their own. */
export const AN_OBJECT: Schema = { type: 'object', additionalProperties: true };

/** The paging envelope every list answers with. */
export function pageSchema(item: Schema): Schema {
  return {
    type: 'object',
    required: ['items', 'total', 'limit', 'offset', 'nextCursor'],
    properties: {
      items: { type: 'array', items: item },
      total: { type: 'integer', description: 'Rows matching the filters (-1 when not counted)' },
      limit: { type: 'integer' },
      offset: { type: 'integer' },
      nextCursor: { type: 'string', nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' },
    },
  };
}

/** Documents a route's JSON answer. */
export function Returns(schema: Schema, description: string, status = 200): MethodDecorator {
  return applyDecorators(ApiResponse({ status, description, content: { 'application/json': { schema } } }));
}

/** Documents a route answering with a spreadsheet (CSV or XLSX, by `format`). */
export function ReturnsSpreadsheet(description: string): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: 200, description, content: { 'text/csv': { schema: { type: 'string' } }, [XLSX]: { schema: { type: 'string', format: 'binary' } } } }),
  );
}
