/**
 * The coverage answer's schema in the API document: the console's client is generated from it, so
 * it must say what `PlanCoverage` (coverage.types.ts) carries, field by field.
 */
const LABEL = { type: 'object', required: ['vi', 'en'], properties: { vi: { type: 'string' }, en: { type: 'string' } } };
const DATE = { type: 'string', format: 'date' };
/** A list cut to the first members asked for, with how many there are in all. */
const countedList = (item: object) => ({ type: 'object', required: ['total', 'items'], properties: { total: { type: 'integer' }, items: { type: 'array', items: item } } });

/** A member that does not count yet, with the reasons. */
const MISSING_MEMBER = {
  type: 'object',
  required: ['id', 'name', 'code', 'unit', 'district', 'reasons'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    code: { type: 'string', nullable: true },
    unit: { type: 'string' },
    district: { type: 'string', nullable: true },
    short: { type: 'integer' },
    reasons: { type: 'array', items: LABEL },
  },
};
/** An agency left out of a staff ratio for want of a staffing figure. */
const UNMEASURED_MEMBER = { type: 'object', required: ['id', 'name', 'code', 'reason'], properties: { id: { type: 'string' }, name: { type: 'string' }, code: { type: 'string', nullable: true }, reason: LABEL } };

/** A page of a target's members that do not count, and of those not measured. */
export const MISSING_PAGE_SCHEMA = {
  type: 'object',
  required: ['targetId', 'asOf', 'limit', 'offset', 'missing', 'unmeasured'],
  properties: {
    targetId: { type: 'string', format: 'uuid' },
    asOf: DATE,
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    missing: countedList(MISSING_MEMBER),
    unmeasured: countedList(UNMEASURED_MEMBER),
  },
};

export const PLAN_COVERAGE_SCHEMA = {
  type: 'object',
  required: ['plan', 'area', 'year', 'asOf', 'computedAt', 'districts', 'targets'],
  properties: {
    plan: {
      type: 'object',
      required: ['id', 'titleVi', 'titleEn', 'documentNumber', 'documentDate', 'periodFrom', 'periodTo', 'province'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        titleVi: { type: 'string' },
        titleEn: { type: 'string', nullable: true },
        documentNumber: { type: 'string', nullable: true },
        documentDate: { ...DATE, nullable: true },
        periodFrom: { type: 'integer' },
        periodTo: { type: 'integer' },
        province: { type: 'object', required: ['id', 'code', 'name'], properties: { id: { type: 'string', format: 'uuid' }, code: { type: 'string' }, name: { type: 'string' } } },
      },
    },
    area: { type: 'object', required: ['id', 'name'], description: 'What was counted: the province, or the reader\'s district or agency', properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } } },
    year: { type: 'integer', nullable: true },
    districts: {
      type: 'array',
      description: 'The districts the breakdowns name, each once',
      items: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' } } },
    },
    asOf: { ...DATE, nullable: true },
    computedAt: { type: 'string', format: 'date-time' },
    targets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['targetId', 'indicator', 'row', 'wordingVi', 'labelEn', 'year', 'asOf', 'numerator', 'denominator', 'value', 'target', 'gap', 'status', 'projection', 'breakdown', 'missing', 'unmeasured'],
        properties: {
          targetId: { type: 'string', format: 'uuid' },
          indicator: {
            type: 'object',
            required: ['id', 'code', 'labelVi', 'labelEn', 'kind'],
            properties: { id: { type: 'string', format: 'uuid' }, code: { type: 'string' }, labelVi: { type: 'string' }, labelEn: { type: 'string' }, kind: { type: 'string', enum: ['measured', 'reported'] } },
          },
          row: { type: 'string', nullable: true, description: 'The row number in the plan\'s own table' },
          wordingVi: { type: 'string', description: 'The plan\'s own wording' },
          labelEn: { type: 'string' },
          year: { type: 'integer' },
          asOf: DATE,
          numerator: { type: 'integer', nullable: true },
          denominator: { type: 'integer', nullable: true },
          value: { type: 'number', nullable: true, description: 'Percent, two decimals' },
          target: { type: 'number' },
          gap: {
            type: 'object',
            nullable: true,
            required: ['count', 'unit', 'text'],
            properties: { count: { type: 'integer' }, unit: LABEL, text: LABEL },
          },
          status: { type: 'string', enum: ['met', 'on_track', 'behind', 'no_data'] },
          projection: {
            type: 'object',
            nullable: true,
            required: ['method', 'basis', 'projectedValue'],
            properties: {
              method: { type: 'string', enum: ['linear_trend'] },
              basis: { type: 'array', items: { type: 'object', required: ['date', 'value'], properties: { date: DATE, value: { type: 'number' } } } },
              projectedValue: { type: 'number', nullable: true },
            },
          },
          breakdown: {
            type: 'array',
            items: {
              type: 'object',
              required: ['districtId', 'numerator', 'denominator', 'value'],
              properties: {
                districtId: { type: 'string', format: 'uuid', nullable: true, description: 'Named in `districts`; null: units directly under the province' },
                numerator: { type: 'integer' },
                denominator: { type: 'integer' },
                value: { type: 'number', nullable: true },
              },
            },
          },
          missing: countedList(MISSING_MEMBER),
          unmeasured: countedList(UNMEASURED_MEMBER),
          reported: { type: 'object', nullable: true, properties: { source: { type: 'string' }, updatedAt: { type: 'string', format: 'date-time' } } },
          note: { type: 'string' },
          explanation: LABEL,
        },
      },
    },
  },
};

const STATUS = { type: 'string', enum: ['met', 'on_track', 'behind', 'no_data'] };

/** The national overview: one indicator, every province. */
export const OVERVIEW_SCHEMA = {
  type: 'object',
  required: ['indicator', 'year', 'asOf', 'computedAt', 'provinces', 'cost'],
  properties: {
    indicator: {
      type: 'object',
      required: ['id', 'code', 'labelVi', 'labelEn', 'kind'],
      properties: { id: { type: 'string', format: 'uuid' }, code: { type: 'string' }, labelVi: { type: 'string' }, labelEn: { type: 'string' }, kind: { type: 'string', enum: ['measured', 'reported'] } },
    },
    year: { type: 'integer' },
    asOf: DATE,
    computedAt: { type: 'string', format: 'date-time' },
    provinces: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'code', 'name', 'numerator', 'denominator', 'value', 'target', 'planId', 'status', 'rank'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          code: { type: 'string' },
          name: { type: 'string' },
          numerator: { type: 'integer', nullable: true },
          denominator: { type: 'integer', nullable: true },
          value: { type: 'number', nullable: true },
          target: { type: 'number', nullable: true, description: 'The province\'s own target for the year, from its latest plan with one' },
          planId: { type: 'string', format: 'uuid', nullable: true },
          status: { ...STATUS, nullable: true },
          rank: { type: 'integer', nullable: true, description: '1 for the highest value; equal values share a rank' },
        },
      },
    },
    cost: {
      type: 'object',
      required: ['passes', 'cachedDates', 'ms'],
      properties: {
        passes: { type: 'array', items: { type: 'object', required: ['dates', 'ms', 'rows'], properties: { dates: { type: 'integer' }, ms: { type: 'integer' }, rows: { type: 'integer' } } } },
        cachedDates: { type: 'integer' },
        ms: { type: 'integer' },
      },
    },
  },
};
