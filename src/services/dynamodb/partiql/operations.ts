import { createHash } from "node:crypto";
import type {
  BatchExecuteStatementInput,
  BatchExecuteStatementOutput,
  BatchStatementResponse,
  CancellationReason,
  ExecuteStatementInput,
  ExecuteStatementOutput,
  ExecuteTransactionInput,
  ExecuteTransactionOutput,
} from "@aws-sdk/client-dynamodb";
import { AwsError } from "../../../protocol/errors.js";
import type { RequestContext } from "../../types.js";
import { type CapacityReport, consumedCapacity, mergeCapacity, readCapacity, writeCapacity } from "../capacity.js";
import {
  ConditionalCheckFailedException,
  ConstraintChecker,
  IdempotentParameterMismatchException,
  TransactionCanceledException,
  ValidationException,
} from "../errors.js";
import { commit, tableOf } from "../items.js";
import { checkTransactionSize } from "../limits.js";
import { keyOf, storageKey } from "../storage.js";
import { type Item, itemSize, itemToWire } from "../values.js";
import type { Select, Statement } from "./ast.js";
import { DuplicateItemException } from "./errors.js";
import { keyFromWhere } from "./keys.js";
import { parseStatement } from "./parser.js";
import { getByKey, runSelect } from "./select.js";
import { type Failure, type StatementWrite, prepareStatementWrite, returnedItems } from "./writes.js";

const MAX_BATCH = 25;
const MAX_TRANSACTION = 100;
const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;

const wireItems = (items: Item[]) => items.map((i) => itemToWire(i));

function failureError(failure: Failure): AwsError {
  if (failure.code === "DuplicateItem") return new DuplicateItemException(failure.message);
  return new ConditionalCheckFailedException(failure.message, { fields: failure.item ? { Item: itemToWire(failure.item) } : {} });
}

const existsOutsideTransaction = () => new ValidationException("EXISTS statements are only supported in ExecuteTransaction");

export function executeStatement(input: ExecuteStatementInput, ctx: RequestContext): ExecuteStatementOutput {
  new ConstraintChecker()
    .length("statement", input.Statement, 1, 8192)
    .length("parameters", input.Parameters, 1)
    .range("limit", input.Limit, 1)
    .length("nextToken", input.NextToken, 1, 32768)
    .throwIfAny();
  const statement = parseStatement(input.Statement ?? "", input.Parameters);
  if (statement.kind === "select") {
    const result = runSelect(ctx, statement, {
      limit: input.Limit,
      nextToken: input.NextToken,
      consistent: !!input.ConsistentRead,
      returnConsumedCapacity: input.ReturnConsumedCapacity,
    });
    return {
      Items: wireItems(result.items),
      ...(result.nextToken ? { NextToken: result.nextToken, LastEvaluatedKey: itemToWire(result.lastKey as Item) } : {}),
      ...(result.consumed ? { ConsumedCapacity: result.consumed } : {}),
    };
  }
  if (statement.kind === "exists") throw existsOutsideTransaction();
  const prepared = prepareStatementWrite(ctx, statement, input.ReturnValuesOnConditionCheckFailure);
  if (prepared.failure) throw failureError(prepared.failure);
  if (prepared.changes) commit(ctx, prepared.write);
  const consumed = consumedCapacity(
    writeCapacity(prepared.write.table, prepared.write.old, prepared.write.next),
    input.ReturnConsumedCapacity,
  );
  return { Items: wireItems(returnedItems(prepared)), ...(consumed ? { ConsumedCapacity: consumed } : {}) };
}

/** The short error codes of BatchStatementError, from the exceptions the single-statement path throws. */
function batchErrorOf(err: unknown): NonNullable<BatchStatementResponse["Error"]> {
  if (!(err instanceof AwsError)) throw err;
  const code = err.code.replace(/Exception$/, "");
  const fields = err.fields as { Item?: unknown };
  return {
    Code: (code === "Validation" ? "ValidationError" : code) as NonNullable<BatchStatementResponse["Error"]>["Code"],
    Message: err.message,
    ...(fields?.Item ? { Item: fields.Item as Record<string, never> } : {}),
  };
}

/** BatchExecuteStatement: up to 25 reads (each one item by full key) or writes, each succeeding or failing alone. */
export function batchExecuteStatement(input: BatchExecuteStatementInput, ctx: RequestContext): BatchExecuteStatementOutput {
  const requests = input.Statements ?? [];
  new ConstraintChecker().length("statements", requests, 1, MAX_BATCH).throwIfAny();
  const parsed = requests.map((r) => {
    try {
      return parseStatement(r.Statement ?? "", r.Parameters);
    } catch (err) {
      return err as Error;
    }
  });
  const statements = parsed.filter((p): p is Statement => !(p instanceof Error));
  if (statements.some((s) => s.kind === "select") && statements.some((s) => s.kind !== "select")) {
    throw new ValidationException("Read and write requests together in the same batch is not supported.");
  }
  const targets = statements.map((s) => targetOf(ctx, s)).filter((t) => t !== undefined);
  if (new Set(targets).size !== targets.length) throw new ValidationException("Provided list of item keys contains duplicates");
  const reports: CapacityReport[] = [];
  const responses = parsed.map((statement, i): BatchStatementResponse => {
    try {
      if (statement instanceof Error) throw statement;
      if (statement.kind === "exists") throw existsOutsideTransaction();
      if (statement.kind === "select") {
        const read = getByKey(ctx, statement);
        reports.push(readCapacity(read.table, read.size, !!requests[i].ConsistentRead));
        return { TableName: read.table.name, ...(read.item ? { Item: itemToWire(read.item) } : {}) };
      }
      const prepared = prepareStatementWrite(ctx, statement, requests[i].ReturnValuesOnConditionCheckFailure);
      if (prepared.failure) throw failureError(prepared.failure);
      if (prepared.changes) commit(ctx, prepared.write);
      reports.push(writeCapacity(prepared.write.table, prepared.write.old, prepared.write.next));
      return { TableName: prepared.write.table.name };
    } catch (err) {
      return { Error: batchErrorOf(err) };
    }
  });
  const capacity = mergeCapacity(reports)
    .map((r) => consumedCapacity(r, input.ReturnConsumedCapacity))
    .filter((c) => c !== undefined);
  return { Responses: responses, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

/** The one item a statement names (`table\nkey`), when that can be read off it; failures are the statement's own. */
function targetOf(ctx: RequestContext, s: Statement): string | undefined {
  try {
    const select = s.kind === "exists" ? s.select : s;
    const table = tableOf(ctx, select.table);
    const key = select.kind === "insert" ? keyOf(table, select.item) : keyFromWhere(table, select.where);
    return `${table.name}\n${storageKey(table.keySchema, key)}`;
  } catch {
    return undefined;
  }
}

interface TokenRecord {
  digest: string;
  at: number;
  output: ExecuteTransactionOutput;
}

/** ExecuteTransaction: all reads or all writes (EXISTS checks count as writes), applied together or not at all. */
export function executeTransaction(input: ExecuteTransactionInput, ctx: RequestContext): ExecuteTransactionOutput {
  const requests = input.TransactStatements ?? [];
  new ConstraintChecker()
    .length("transactStatements", requests, 1, MAX_TRANSACTION)
    .length("clientRequestToken", input.ClientRequestToken, 1, 36)
    .throwIfAny();
  const tokens = ctx.store.collection<TokenRecord>("partiql-transaction-tokens");
  const digest = createHash("sha256").update(JSON.stringify(requests)).digest("hex");
  const now = ctx.runtime.now();
  const previous = input.ClientRequestToken ? tokens.get(input.ClientRequestToken) : undefined;
  if (previous && now - previous.at < IDEMPOTENCY_WINDOW_MS) {
    if (previous.digest !== digest) {
      throw new IdempotentParameterMismatchException(
        "Specified idempotency token was used with different request parameters within the idempotency window.",
      );
    }
    return previous.output;
  }
  const statements = requests.map((r, i) => {
    const statement = parseStatement(r.Statement ?? "", r.Parameters);
    if (statement.kind !== "select" && statement.kind !== "exists" && statement.kind !== "insert" && statement.returning) {
      throw new ValidationException(
        `Validation failed in TransactStatements[${i}]: RETURNING clause is not supported in ExecuteTransaction.`,
      );
    }
    return statement;
  });
  const reads = statements.filter((s) => s.kind === "select");
  if (reads.length && reads.length !== statements.length) {
    throw new ValidationException("ExecuteTransaction API does not support both read and write operations in the same request.");
  }
  const output = reads.length
    ? transactionReads(ctx, reads as Select[], input.ReturnConsumedCapacity)
    : transactionWrites(ctx, input, statements as Exclude<Statement, Select>[]);
  if (input.ClientRequestToken) tokens.set(input.ClientRequestToken, { digest, at: now, output });
  return output;
}

function transactionReads(ctx: RequestContext, reads: Select[], mode: string | undefined): ExecuteTransactionOutput {
  const found = reads.map((s) => getByKey(ctx, s));
  checkDistinct(found.map((r) => `${r.table.name}\n${r.key}`));
  checkTransactionSize(found.map((r) => r.size));
  const capacity = mergeCapacity(found.map((r) => readCapacity(r.table, r.size, true, undefined, 2)))
    .map((r) => consumedCapacity(r, mode))
    .filter((c) => c !== undefined);
  return {
    Responses: found.map((r) => (r.item ? { Item: itemToWire(r.item) } : {})),
    ...(capacity.length ? { ConsumedCapacity: capacity } : {}),
  };
}

function transactionWrites(
  ctx: RequestContext,
  input: ExecuteTransactionInput,
  statements: Exclude<Statement, Select>[],
): ExecuteTransactionOutput {
  const prepared: StatementWrite[] = statements.map((s, i) =>
    prepareStatementWrite(ctx, s, input.TransactStatements?.[i].ReturnValuesOnConditionCheckFailure),
  );
  checkDistinct(prepared.map((p) => `${p.write.table.name}\n${p.write.key}`));
  checkTransactionSize(prepared.map(({ write }) => itemSize(write.next ?? write.old ?? {})));
  if (prepared.some((p) => p.failure)) {
    const reasons: CancellationReason[] = prepared.map(({ failure }) =>
      failure
        ? {
            Code: failure.code,
            Message: failure.message,
            ...(failure.item ? { Item: itemToWire(failure.item) as CancellationReason["Item"] } : {}),
          }
        : { Code: "None" },
    );
    throw new TransactionCanceledException(
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
      { fields: { CancellationReasons: reasons } },
    );
  }
  ctx.runtime.state.transaction(() => {
    for (const p of prepared) if (p.changes) commit(ctx, p.write);
  });
  const capacity = mergeCapacity(prepared.map(({ write }) => writeCapacity(write.table, write.old, write.next, 2)))
    .map((r) => consumedCapacity(r, input.ReturnConsumedCapacity))
    .filter((c) => c !== undefined);
  return { Responses: prepared.map(() => ({})), ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

function checkDistinct(targets: string[]): void {
  if (new Set(targets).size !== targets.length) {
    throw new ValidationException("Transaction request cannot include multiple operations on one item");
  }
}
