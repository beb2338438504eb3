import { randomBytes } from "node:crypto";
import type {
  CreateGrantRequest,
  CreateGrantResponse,
  GrantListEntry,
  ListGrantsRequest,
  ListGrantsResponse,
  ListRetirableGrantsRequest,
  RetireGrantRequest,
  RevokeGrantRequest,
} from "@aws-sdk/client-kms";
import { ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext } from "../types.js";
import { checkLength, checkRange, dryRunSucceeded, InvalidGrantTokenException, NotFoundException, validation } from "./errors.js";
import { KEY_SPECS } from "./material.js";
import { decodeMarker, page } from "./keys.js";
import { type GrantRecord, grantCollection, type KeyRecord, keyArn, requireNotPendingDeletion, resolveKey } from "./store.js";

const GRANT_NAME = /^[a-zA-Z0-9:/_-]+$/;
const ALWAYS_ALLOWED = ["CreateGrant", "RetireGrant", "DescribeKey"];

/** The grant operations that make sense for a key, by its spec and usage (AWS's grant operations table). */
function operationsFor(key: KeyRecord): string[] {
  const family = KEY_SPECS[key.keySpec].family;
  if (key.keyUsage === "SIGN_VERIFY") return [...ALWAYS_ALLOWED, "Sign", "Verify", "GetPublicKey"];
  if (key.keyUsage === "GENERATE_VERIFY_MAC") return [...ALWAYS_ALLOWED, "GenerateMac", "VerifyMac"];
  if (key.keyUsage === "KEY_AGREEMENT") return [...ALWAYS_ALLOWED, "DeriveSharedSecret", "GetPublicKey"];
  if (family === "rsa") return [...ALWAYS_ALLOWED, "Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"];
  return [
    ...ALWAYS_ALLOWED,
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
  ];
}

function checkGrantInput(input: CreateGrantRequest, key: KeyRecord): void {
  checkLength("name", input.Name, 1, 256);
  if (input.Name !== undefined && !GRANT_NAME.test(input.Name)) {
    const constraint = "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$";
    throw new ValidationFailure([{ path: "name", value: input.Name, constraint, kind: "pattern" }]);
  }
  if (!input.GranteePrincipal && !input.GranteeServicePrincipal) throw validation("GranteePrincipal is required.");
  const operations = input.Operations ?? [];
  if (operations.length === 0) throw validation("Operations must contain at least one grant operation.");
  const allowed = operationsFor(key);
  const invalid = operations.filter((op) => !allowed.includes(op));
  if (invalid.length)
    throw validation(
      `Grant operations ${invalid.join(", ")} are not valid for a KMS key with key spec ${key.keySpec} and key usage ${key.keyUsage}.`,
    );
  const constrained = input.Constraints?.EncryptionContextEquals || input.Constraints?.EncryptionContextSubset;
  if (constrained && key.keySpec !== "SYMMETRIC_DEFAULT")
    throw validation("Encryption context grant constraints are only supported on symmetric encryption KMS keys.");
}

/** A retry of the same named grant returns the grant already made, as CreateGrant is idempotent. */
function sameGrant(grant: GrantRecord, input: CreateGrantRequest, keyId: string): boolean {
  return (
    grant.keyId === keyId &&
    grant.name === input.Name &&
    grant.granteePrincipal === (input.GranteePrincipal ?? input.GranteeServicePrincipal) &&
    grant.retiringPrincipal === (input.RetiringPrincipal ?? input.RetiringServicePrincipal) &&
    JSON.stringify(grant.operations) === JSON.stringify(input.Operations) &&
    JSON.stringify(grant.constraints ?? null) === JSON.stringify(input.Constraints ?? null)
  );
}

export function createGrant(input: CreateGrantRequest, ctx: RequestContext): CreateGrantResponse {
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  requireNotPendingDeletion(key);
  checkGrantInput(input, key);
  if (input.DryRun) throw dryRunSucceeded();
  if (input.Name !== undefined) {
    for (const grant of grantCollection(ctx.store).values()) {
      if (sameGrant(grant, input, key.keyId)) return { GrantId: grant.grantId, GrantToken: grant.token };
    }
  }
  const grant: GrantRecord = {
    grantId: randomBytes(32).toString("hex"),
    keyId: key.keyId,
    token: randomBytes(96).toString("base64url"),
    name: input.Name,
    granteePrincipal: input.GranteePrincipal ?? input.GranteeServicePrincipal,
    retiringPrincipal: input.RetiringPrincipal ?? input.RetiringServicePrincipal,
    operations: [...(input.Operations ?? [])],
    constraints: input.Constraints as GrantRecord["constraints"],
    createdAt: ctx.runtime.now(),
    issuingAccount: `arn:aws:iam::${ctx.account}:root`,
  };
  grantCollection(ctx.store).set(grant.grantId, grant);
  return { GrantId: grant.grantId, GrantToken: grant.token };
}

function grantEntry(grant: GrantRecord, key: Pick<KeyRecord, "account" | "region" | "keyId">): GrantListEntry {
  return {
    KeyId: keyArn(key),
    GrantId: grant.grantId,
    Name: grant.name ?? "",
    CreationDate: new Date(grant.createdAt),
    GranteePrincipal: grant.granteePrincipal,
    RetiringPrincipal: grant.retiringPrincipal,
    IssuingAccount: grant.issuingAccount,
    Operations: grant.operations as GrantListEntry["Operations"],
    Constraints: grant.constraints,
  };
}

export function listGrants(input: ListGrantsRequest, ctx: RequestContext): ListGrantsResponse {
  checkRange("limit", input.Limit, 1, 100);
  const { key } = resolveKey(ctx, input.KeyId as string, false);
  const matching = [...grantCollection(ctx.store).entries()].filter(
    ([, g]) =>
      g.keyId === key.keyId &&
      (input.GrantId === undefined || g.grantId === input.GrantId) &&
      (input.GranteePrincipal === undefined || g.granteePrincipal === input.GranteePrincipal),
  );
  const { items, nextMarker, truncated } = page(matching, input.Limit ?? 50, decodeMarker(input.Marker));
  return { Grants: items.map((g) => grantEntry(g, key)), NextMarker: nextMarker, Truncated: truncated };
}

export function listRetirableGrants(input: ListRetirableGrantsRequest, ctx: RequestContext): ListGrantsResponse {
  checkRange("limit", input.Limit, 1, 100);
  const matching = [...grantCollection(ctx.store).entries()].filter(([, g]) => g.retiringPrincipal === input.RetiringPrincipal);
  const { items, nextMarker, truncated } = page(matching, input.Limit ?? 50, decodeMarker(input.Marker));
  const where = { account: ctx.account, region: ctx.region };
  return { Grants: items.map((g) => grantEntry(g, { ...where, keyId: g.keyId })), NextMarker: nextMarker, Truncated: truncated };
}

/** A grant named by key and grant id; the key must exist, the grant must be on it. */
function grantOnKey(ctx: RequestContext, keyId: string, grantId: string): GrantRecord {
  const { key } = resolveKey(ctx, keyId, false);
  const grant = grantCollection(ctx.store).get(grantId);
  if (!grant || grant.keyId !== key.keyId) throw new NotFoundException(`Grant ID ${grantId} not found`);
  return grant;
}

export function retireGrant(input: RetireGrantRequest, ctx: RequestContext): void {
  let grant: GrantRecord | undefined;
  if (input.GrantToken !== undefined) {
    grant = [...grantCollection(ctx.store).values()].find((g) => g.token === input.GrantToken);
    if (!grant) throw new InvalidGrantTokenException("Grant token is invalid");
    if (input.GrantId !== undefined && input.GrantId !== grant.grantId)
      throw new InvalidGrantTokenException("Grant token does not match the grant ID");
  } else if (input.KeyId !== undefined && input.GrantId !== undefined) {
    grant = grantOnKey(ctx, input.KeyId, input.GrantId);
  } else {
    throw validation("Either GrantToken or both KeyId and GrantId must be specified.");
  }
  if (input.DryRun) throw dryRunSucceeded();
  grantCollection(ctx.store).delete(grant.grantId);
}

export function revokeGrant(input: RevokeGrantRequest, ctx: RequestContext): void {
  const grant = grantOnKey(ctx, input.KeyId as string, input.GrantId as string);
  if (input.DryRun) throw dryRunSucceeded();
  grantCollection(ctx.store).delete(grant.grantId);
}
