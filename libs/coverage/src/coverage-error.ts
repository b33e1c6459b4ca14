import { type FieldProblem, InventoryError, InventoryErrorCode } from '@app/inventory';

/** A coverage request that cannot be answered as asked; the API reports it as problem+json. */
export class CoverageError extends InventoryError {
  constructor(message: string, problems: FieldProblem[] = [], code: InventoryErrorCode = InventoryErrorCode.Invalid) {
    super(code, message, problems);
  }
}
