import type { GetKeyLastUsageRequest, GetKeyLastUsageResponse } from "@aws-sdk/client-kms";
import type { ScopeStore } from "../../state/store.js";
import type { Handler, RequestContext } from "../types.js";
import { resolveKey } from "./store.js";

/** The last successful cryptographic use of a key, as GetKeyLastUsage reports it. */
interface UsageRecord {
  operation: string;
  timestamp: number;
  requestId: string;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const usageIn = (store: ScopeStore) => store.collection<UsageRecord>("key-usage");

/**
 * Wraps a cryptographic operation so that each success records the key(s) it used: the KeyId in its
 * output (a key ARN), and ReEncrypt's SourceKeyId too.
 */
export function tracked<I, O extends { KeyId?: string; SourceKeyId?: string }>(operation: string, handler: Handler<I, O>): Handler<I, O> {
  return async (input, ctx) => {
    const output = await handler(input, ctx);
    for (const arn of [output.KeyId, output.SourceKeyId]) if (arn) recordUse(ctx, arn, operation);
    return output;
  };
}

function recordUse(ctx: RequestContext, arn: string, operation: string): void {
  const match = KEY_ARN.exec(arn);
  if (!match) return;
  const [, region, account, keyId] = match;
  const store = account === ctx.account && region === ctx.region ? ctx.store : ctx.runtime.storeFor(account, region);
  usageIn(store).set(keyId, { operation, timestamp: ctx.runtime.now(), requestId: ctx.requestId });
}

export function getKeyLastUsage(input: GetKeyLastUsageRequest, ctx: RequestContext): GetKeyLastUsageResponse {
  const { store, key } = resolveKey(ctx, input.KeyId as string, false);
  const usage = usageIn(store).get(key.keyId);
  return {
    KeyId: key.keyId,
    KeyLastUsage: usage
      ? {
          Operation: usage.operation as never,
          Timestamp: new Date(usage.timestamp),
          KmsRequestId: usage.requestId,
          CloudTrailEventId: usage.requestId,
        }
      : {},
    // Overcast tracks every key from its creation.
    TrackingStartDate: new Date(key.createdAt),
    KeyCreationDate: new Date(key.createdAt),
  };
}
