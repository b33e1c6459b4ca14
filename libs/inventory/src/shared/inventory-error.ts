/** What went wrong, independent of HTTP; the API's problem filter maps each code to a status. */
export enum InventoryErrorCode {
  Invalid = 'invalid',
  NotFound = 'not_found',
  Conflict = 'conflict',
  UnknownReference = 'unknown_reference',
  ImportRejected = 'import_rejected',
  InUse = 'in_use',
  /** No token, or one that is unknown, expired, revoked or used from an address it does not allow. */
  Unauthenticated = 'unauthenticated',
  /** The token's role may not do this, or the record lies outside its scope. */
  Forbidden = 'forbidden',
  /** If-Match named a version of the record that is no longer the current one. */
  PreconditionFailed = 'precondition_failed',
}

/** One problem with one field; `row` and `column` when it comes from a spreadsheet. */
export interface FieldProblem {
  field: string;
  message: string;
  row?: number;
  column?: string;
  value?: unknown;
}

/** Problems an answer lists; past it, the detail says how many more there were. */
export const MAX_PROBLEMS = 100;
/** Characters of a wrong value an answer quotes. */
export const MAX_QUOTED = 80;

/**
 * What an answer quotes of a wrong value: short values as sent, long text cut (with its length),
 * objects and lists named rather than repeated. An answer never grows with the size of the input.
 */
export function quoted(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}… (${value.length} characters)` : value;
  if (Array.isArray(value)) return `a list of ${value.length} item(s)`;
  if (value !== null && typeof value === 'object') return 'an object';
  return value;
}

export class InventoryError extends Error {
  readonly problems: FieldProblem[];
  /** Problems left out of `problems` (beyond MAX_PROBLEMS). */
  readonly more: number;

  constructor(
    readonly code: InventoryErrorCode,
    message: string,
    problems: FieldProblem[] = [],
  ) {
    const more = Math.max(0, problems.length - MAX_PROBLEMS);
    super(more ? `${message} (the first ${MAX_PROBLEMS} problems are listed; ${more} more were left out)` : message);
    this.more = more;
    this.problems = problems.slice(0, MAX_PROBLEMS).map((p) => {
      const out = { ...p, field: p.field.length > 200 ? `${p.field.slice(0, 200)}…` : p.field, message: p.message.length > 500 ? `${p.message.slice(0, 500)}…` : p.message };
      if ('value' in p) out.value = quoted(p.value);
      return out;
    });
  }

  static notFound(what: string, id: string): InventoryError {
    return new InventoryError(InventoryErrorCode.NotFound, `${what} ${id} does not exist`);
  }

  static forbidden(message: string, problems: FieldProblem[] = []): InventoryError {
    return new InventoryError(InventoryErrorCode.Forbidden, message, problems);
  }

  static invalid(message: string, problems: FieldProblem[]): InventoryError {
    return new InventoryError(InventoryErrorCode.Invalid, message, problems);
  }
}

/** Prefixes problem fields with an item's place in a bulk request: `[3].serialNumber`. */
export function atIndex(index: number, problems: FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ ...p, field: `[${index}].${p.field}` }));
}
