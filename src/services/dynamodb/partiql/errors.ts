import { errorClass } from "../../../protocol/errors.js";
import { ValidationException } from "../errors.js";

export const DuplicateItemException = errorClass("DuplicateItemException", 400);

/** DynamoDB's envelope for every PartiQL syntax error. */
export const malformed = (detail: string) => new ValidationException(`Statement wasn't well formed, can't be processed: ${detail}`);

export const duplicateItem = () => new DuplicateItemException("Duplicate primary key exists in table");

export const missingKeyEquality = () => new ValidationException("Where clause does not contain a mandatory equality on all key attributes");
