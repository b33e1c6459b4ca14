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

export class InventoryError extends Error {
  constructor(
    readonly code: InventoryErrorCode,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
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
