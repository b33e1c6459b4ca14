import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import type { FieldProblem } from './inventory-error';

/** Flattens class-validator's tree into one problem per field, with dotted paths. */
export function toProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const field = prefix ? (/^\d+$/.test(e.property) ? `${prefix}[${e.property}]` : `${prefix}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field, message: message.replace(/^property (\S+) should not exist$/, 'unknown field $1'), value: e.value });
    }
    if (e.children?.length) out.push(...toProblems(e.children, field));
  }
  return out;
}

const SWAGGER_PROPERTY = 'swagger/apiModelProperties';

/** Whether the DTO documents this field as nullable (its OpenAPI schema says `nullable: true`). */
function nullable(cls: ClassConstructor<unknown>, key: string): boolean {
  const meta = Reflect.getMetadata(SWAGGER_PROPERTY, cls.prototype as object, key) as { nullable?: boolean } | undefined;
  return meta?.nullable === true;
}

export const STRICT = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Builds a DTO from plain input and validates it strictly: unknown fields are problems too. */
export async function validateInput<T extends object>(
  cls: ClassConstructor<T>,
  plain: unknown,
): Promise<{ value: T; problems: FieldProblem[] }> {
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    return { value: undefined as unknown as T, problems: [{ field: '', message: 'expected a JSON object' }] };
  }
  const value = plainToInstance(cls, plain, { exposeDefaultValues: false });
  const problems = toProblems(await validate(value, STRICT));
  // @IsOptional lets null through as well as a missing field; only fields documented as
  // nullable may be null (the others would reach the database's NOT NULL).
  for (const [key, v] of Object.entries(plain)) {
    if (v === null && !problems.some((p) => p.field === key) && !nullable(cls, key)) problems.push({ field: key, message: `${key} may not be null (leave it out to keep its value)`, value: null });
  }
  return { value, problems };
}
