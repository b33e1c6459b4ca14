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
  return { value, problems };
}
