import type { OpenAPIObject } from '@nestjs/swagger';
import { pageSchema } from '@app/inventory';
import type { DataSource } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

type Schema = Record<string, unknown>;

/** Entities the API returns as they are stored (the others are read through views of their own). */
const RETURNED = ['AdministrativeUnit', 'Agency', 'AgencyStaffing', 'Device', 'Lan', 'WanLink', 'AuditEntry', 'MaintenanceWindow', 'Outage', 'Plan', 'Indicator', 'ReportedValue', 'DevicePollState', 'AlertRule', 'AlertIncident', 'AlertDelivery', 'AlertDeliveryAttempt', 'SnmpTrap', 'DeviceInterface', 'InterfaceEvent', 'Discovery', 'DiscoveryResult', 'DeviceNeighbour'];

/** A column as JSON carries it: dates as text, numbers as numbers, JSON as itself. */
function columnSchema(c: ColumnMetadata): Schema {
  const type = typeof c.type === 'string' ? c.type : (c.type as { name?: string }).name?.toLowerCase() ?? '';
  let s: Schema;
  if (c.enum) s = { type: 'string', enum: c.enum };
  else if (type === 'uuid') s = { type: 'string', format: 'uuid' };
  else if (/^(int|integer|smallint|bigint|number)$/.test(type)) s = { type: 'integer' };
  else if (/^(numeric|decimal|real|double precision|float)$/.test(type)) s = { type: 'number' };
  else if (/^(boolean|bool)$/.test(type)) s = { type: 'boolean' };
  else if (type === 'date') s = { type: 'string', format: 'date' };
  else if (/^timestamp/.test(type) || type === 'date' || type === 'datetime') s = { type: 'string', format: 'date-time' };
  else if (/^jsonb?$/.test(type)) s = {};
  else s = { type: 'string', ...(c.length ? { maxLength: Number(c.length) } : {}) };
  if (c.isArray) s = { type: 'array', items: s };
  return c.isNullable ? { ...s, nullable: true } : s;
}

const PROBLEM: Schema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:hatang:problem:invalid' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string', description: 'The X-Request-Id of the request, to find it in the logs' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: {
          field: { type: 'string', example: 'commissionedOn' },
          message: { type: 'string' },
          row: { type: 'integer', description: 'A spreadsheet row' },
          column: { type: 'string', description: 'A spreadsheet column' },
          value: { description: 'What was sent (long text cut to 80 characters)' },
        },
      },
    },
    checks: { type: 'object', additionalProperties: true, description: 'GET /health: what each check said' },
  },
};

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: Schema;
}
interface Operation {
  responses?: Record<string, unknown>;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  'x-hatang-file-upload'?: boolean;
}

/**
 * A list's filters are declared as one query object (its DTO); clients and the docs' "Try it
 * out" want one parameter per field, which is how the API reads them.
 */
function explode(p: Parameter, schemas: Record<string, Schema>): Parameter[] {
  const ref = p.in === 'query' && typeof p.schema?.$ref === 'string' ? (p.schema.$ref as string).split('/').pop()! : null;
  const target = ref ? schemas[ref] : null;
  if (!target || target.type !== 'object' || !target.properties) return [p];
  const required = new Set((target.required as string[] | undefined) ?? []);
  return Object.entries(target.properties as Record<string, Schema>).map(([name, schema]) => {
    const { description, ...rest } = schema as Schema & { description?: string };
    return { name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest } as Parameter;
  });
}

/**
 * Completes the document Nest builds from the decorators: a schema for each record the API
 * returns (from the database's own column list, so it cannot drift from what is stored), the
 * paging envelope of each, and the problem+json answer every operation may give.
 */
export function completeDocument(document: OpenAPIObject, ds: DataSource): OpenAPIObject {
  const schemas = (document.components ??= {}).schemas ??= {};
  for (const meta of ds.entityMetadatas) {
    if (!RETURNED.includes(meta.name)) continue;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const c of meta.columns) {
      if (!c.isSelect) continue;
      properties[c.propertyName] = columnSchema(c);
      required.push(c.propertyName);
    }
    schemas[meta.name] = { type: 'object', required, properties } as never;
    schemas[`${meta.name}Page`] = pageSchema({ $ref: `#/components/schemas/${meta.name}` }) as never;
  }
  schemas.Problem = PROBLEM as never;
  const problem = { description: 'A problem: what was wrong, field by field (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  for (const ops of Object.values(document.paths)) {
    for (const op of Object.values(ops as Record<string, Operation>)) {
      if (!op || typeof op !== 'object' || !('responses' in op)) continue;
      op.responses ??= {};
      op.responses.default ??= problem;
      if (op.parameters) op.parameters = op.parameters.flatMap((p) => explode(p, schemas as Record<string, Schema>));
      // A file upload: the file as the body (CSV, XLSX) or as a form's `file` field.
      if (op['x-hatang-file-upload'] && op.requestBody) {
        const form = op.requestBody.content?.['multipart/form-data']?.schema;
        op.requestBody.content = {
          'text/csv': { schema: { type: 'string' } },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
          'multipart/form-data': { schema: form ?? {} },
        };
        delete op['x-hatang-file-upload'];
      }
    }
  }
  return document;
}
