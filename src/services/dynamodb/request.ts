import type { Condition, Path } from "./expressions/ast.js";
import { type Placeholders, parseCondition, parseProjection } from "./expressions/parser.js";
import type { ExpressionKind } from "./expressions/parser.js";
import { ValidationException } from "./errors.js";
import { type Item, itemFromWire, fromWire } from "./values.js";

interface ExpressionInput {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Validates the placeholder maps of a request that uses the given expressions. */
export function placeholdersOf(input: ExpressionInput, expressions: (string | undefined)[]): Placeholders {
  const names = input.ExpressionAttributeNames;
  const rawValues = input.ExpressionAttributeValues;
  const used = expressions.some((e) => e !== undefined);
  if (names && !used) throw new ValidationException("ExpressionAttributeNames can only be specified when using expressions");
  if (rawValues && !used) throw new ValidationException("ExpressionAttributeValues can only be specified when using expressions");
  if (names && Object.keys(names).length === 0) throw new ValidationException("ExpressionAttributeNames must not be empty");
  if (rawValues && Object.keys(rawValues).length === 0) throw new ValidationException("ExpressionAttributeValues must not be empty");
  for (const key of Object.keys(names ?? {})) {
    if (!/^#[A-Za-z0-9_]+$/.test(key))
      throw new ValidationException(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
  }
  let values: Placeholders["values"];
  if (rawValues) {
    values = {};
    for (const [key, raw] of Object.entries(rawValues)) {
      if (!/^:[A-Za-z0-9_]+$/.test(key))
        throw new ValidationException(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
      try {
        values[key] = fromWire(raw);
      } catch (e) {
        throw new ValidationException(`ExpressionAttributeValues contains invalid value: ${(e as Error).message} for key ${key}`);
      }
    }
  }
  return { names, values, usedNames: new Set(), usedValues: new Set() };
}

/** After parsing every expression of the request: placeholders that none of them used are an error. */
export function checkUnused(placeholders: Placeholders): void {
  const unusedNames = Object.keys(placeholders.names ?? {}).filter((n) => !placeholders.usedNames.has(n));
  if (unusedNames.length)
    throw new ValidationException(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(", ")}}`);
  const unusedValues = Object.keys(placeholders.values ?? {}).filter((v) => !placeholders.usedValues.has(v));
  if (unusedValues.length)
    throw new ValidationException(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(", ")}}`);
}

export const optionalCondition = (text: string | undefined, kind: ExpressionKind, placeholders: Placeholders): Condition | undefined =>
  text === undefined ? undefined : parseCondition(text, kind, placeholders);

export const optionalProjection = (text: string | undefined, placeholders: Placeholders): Path[] | undefined =>
  text === undefined ? undefined : parseProjection(text, placeholders);

/** AWS refuses requests that mix legacy parameters with expressions. */
export function checkNoMix(request: object, legacy: string[], expressions: string[]): void {
  const input = request as Record<string, unknown>;
  const old = legacy.filter((k) => input[k] !== undefined);
  const modern = expressions.filter((k) => input[k] !== undefined);
  if (old.length && modern.length) {
    throw new ValidationException(
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${old.join(", ")}} Expression parameters: {${modern.join(", ")}}`,
    );
  }
}

/** Converts a decoded Key/Item parameter, validating its values. */
export const decodeItem = (raw: Record<string, unknown> | undefined): Item => itemFromWire(raw ?? {});

/** The AttributesToGet legacy parameter as projection paths. */
export function attributesToGet(names: string[] | undefined): Path[] | undefined {
  if (!names) return undefined;
  if (new Set(names).size !== names.length)
    throw new ValidationException(
      `One or more parameter values were invalid: Duplicate value in attribute name: ${names.find((n, i) => names.indexOf(n) !== i)}`,
    );
  return names.map((name) => [{ name }]);
}
