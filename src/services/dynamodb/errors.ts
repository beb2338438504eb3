import { awsPattern, ConstraintChecker as ModelConstraints } from "../../protocol/constraints.js";
import { errorClass } from "../../protocol/errors.js";

export const ValidationException = errorClass("ValidationException", 400);
export const ResourceNotFoundException = errorClass("ResourceNotFoundException", 400);
export const ResourceInUseException = errorClass("ResourceInUseException", 400);
export const ConditionalCheckFailedException = errorClass("ConditionalCheckFailedException", 400);
export const TransactionCanceledException = errorClass("TransactionCanceledException", 400);
export const IdempotentParameterMismatchException = errorClass("IdempotentParameterMismatchException", 400);
export const LimitExceededException = errorClass("LimitExceededException", 400);

export const tableNotFound = () => new ResourceNotFoundException("Requested resource not found");
export const invalidParameter = (detail: string) => new ValidationException(`One or more parameter values were invalid: ${detail}`);

const TABLE_NAME = awsPattern("[a-zA-Z0-9_.-]+");

/** DynamoDB's model carries no length/range traits; these checks give its "N validation errors detected" texts. */
export class ConstraintChecker extends ModelConstraints {
  constructor() {
    super(ValidationException);
  }

  tableName(path: string, value: string | undefined): this {
    return this.pattern(path, value, TABLE_NAME).length(path, value, 3, 255);
  }
}
