import type {
  CreateAliasRequest,
  DeleteAliasRequest,
  ListAliasesRequest,
  ListAliasesResponse,
  UpdateAliasRequest,
} from "@aws-sdk/client-kms";
import type { RequestContext } from "../types.js";
import { AlreadyExistsException, checkLength, checkRange, NotAuthorizedException, NotFoundException, validation } from "./errors.js";
import { KEY_SPECS } from "./material.js";
import { decodeMarker, page } from "./keys.js";
import {
  type AliasRecord,
  aliasArn,
  aliasCollection,
  expire,
  type KeyRecord,
  keyCollection,
  requireNotPendingDeletion,
  resolveKey,
} from "./store.js";

const ALIAS_CHARACTERS = /^alias\/[a-zA-Z0-9/_-]+$/;
const RESERVED_PREFIX = "alias/aws/";

/** Name rules shared by every alias operation; `alias/aws/` belongs to AWS managed keys. */
function checkAliasName(name: string): void {
  checkLength("aliasName", name, 1, 256);
  if (!name.startsWith("alias/")) {
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (!ALIAS_CHARACTERS.test(name)) throw validation(`${name} contains invalid characters for an alias`);
  if (name.startsWith(RESERVED_PREFIX))
    throw new NotAuthorizedException(`Cannot create, update or delete an alias with the reserved prefix ${RESERVED_PREFIX}`);
}

/** Aliases point at customer keys by key id or key ARN, never at another alias or an AWS managed key. */
function targetKey(ctx: RequestContext, keyId: string): KeyRecord {
  const { key } = resolveKey(ctx, keyId, false);
  requireNotPendingDeletion(key);
  if (key.manager === "AWS") throw new NotAuthorizedException("An alias cannot point to an AWS managed key.");
  return key;
}

function existingAlias(ctx: RequestContext, name: string): AliasRecord {
  const alias = aliasCollection(ctx.store).get(name);
  if (!alias) throw new NotFoundException(`Alias ${aliasArn(ctx, name)} is not found.`);
  return alias;
}

export function createAlias(input: CreateAliasRequest, ctx: RequestContext): void {
  const name = input.AliasName as string;
  checkAliasName(name);
  const key = targetKey(ctx, input.TargetKeyId as string);
  if (aliasCollection(ctx.store).has(name))
    throw new AlreadyExistsException(`An alias with the name ${aliasArn(ctx, name)} already exists`);
  const now = ctx.runtime.now();
  aliasCollection(ctx.store).set(name, { name, keyId: key.keyId, createdAt: now, updatedAt: now });
}

export function deleteAlias(input: DeleteAliasRequest, ctx: RequestContext): void {
  const name = input.AliasName as string;
  checkAliasName(name);
  existingAlias(ctx, name);
  aliasCollection(ctx.store).delete(name);
}

export function updateAlias(input: UpdateAliasRequest, ctx: RequestContext): void {
  const name = input.AliasName as string;
  checkAliasName(name);
  const alias = existingAlias(ctx, name);
  const key = targetKey(ctx, input.TargetKeyId as string);
  const current = keyCollection(ctx.store).get(alias.keyId);
  if (current && (KEY_SPECS[current.keySpec].family !== KEY_SPECS[key.keySpec].family || current.keyUsage !== key.keyUsage)) {
    throw validation(
      `${name} points to a key with key spec ${current.keySpec} and key usage ${current.keyUsage}; the new target must have the same key type and key usage.`,
    );
  }
  aliasCollection(ctx.store).set(name, { ...alias, keyId: key.keyId, updatedAt: ctx.runtime.now() });
}

export function listAliases(input: ListAliasesRequest, ctx: RequestContext): ListAliasesResponse {
  checkRange("limit", input.Limit, 1, 100);
  const after = decodeMarker(input.Marker);
  const onlyKey = input.KeyId !== undefined ? resolveKey(ctx, input.KeyId, false).key.keyId : undefined;
  const live = [...aliasCollection(ctx.store).entries()].filter(([, alias]) => {
    const key = keyCollection(ctx.store).get(alias.keyId);
    return key !== undefined && !expire(ctx, { store: ctx.store, key }) && (onlyKey === undefined || alias.keyId === onlyKey);
  });
  const { items, nextMarker, truncated } = page(live, input.Limit ?? 50, after);
  return {
    Aliases: items.map((a) => ({
      AliasName: a.name,
      AliasArn: aliasArn(ctx, a.name),
      TargetKeyId: a.keyId,
      CreationDate: new Date(a.createdAt),
      LastUpdatedDate: new Date(a.updatedAt),
    })),
    NextMarker: nextMarker,
    Truncated: truncated,
  };
}
