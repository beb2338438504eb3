import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { ScopeStore } from "../../state/store.js";
import type { RequestContext } from "../types.js";
import { AccessDeniedException, DisabledException, KMSInvalidStateException, NotFoundException } from "./errors.js";
import { generateMaterial } from "./material.js";

/** One generation of a key's material; rotation adds one, old ones stay to decrypt old ciphertexts. */
export interface MaterialVersion {
  /** 64 hex digits, like AWS's KeyMaterialId. */
  id: string;
  /** Raw secret (symmetric, HMAC) or PKCS#8 DER private key, base64. */
  secret: string;
  createdAt: number;
  rotationType?: "AUTOMATIC" | "ON_DEMAND";
}

export interface KeyRecord {
  keyId: string;
  account: string;
  region: string;
  createdAt: number;
  description: string;
  keySpec: string;
  keyUsage: string;
  state: "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport";
  origin: "AWS_KMS" | "EXTERNAL";
  manager: "CUSTOMER" | "AWS";
  multiRegion: boolean;
  /** For multi-region keys: the region of the primary key, and the regions holding replicas. */
  primaryRegion?: string;
  replicaRegions?: string[];
  deletionDate?: number;
  pendingWindowInDays?: number;
  policy: string;
  tags: { TagKey: string; TagValue: string }[];
  materials: MaterialVersion[];
  rotation?: { periodDays: number; nextRotation: number };
  /** Imported key material: when it expires (and is deleted), and the model the import chose. */
  validTo?: number;
  expirationModel?: "KEY_MATERIAL_EXPIRES" | "KEY_MATERIAL_DOES_NOT_EXPIRE";
  /** An EXTERNAL key is bound to the first material imported into it; later imports must match. */
  importedMaterialId?: string;
  onDemandRotationStartDate?: number;
}

export interface AliasRecord {
  name: string;
  keyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface GrantRecord {
  grantId: string;
  keyId: string;
  token: string;
  name?: string;
  granteePrincipal?: string;
  retiringPrincipal?: string;
  operations: string[];
  constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
  createdAt: number;
  issuingAccount: string;
}

export const keyCollection = (store: ScopeStore) => store.collection<KeyRecord>("keys", { sorted: true });
export const aliasCollection = (store: ScopeStore) => store.collection<AliasRecord>("aliases", { sorted: true });
export const grantCollection = (store: ScopeStore) => store.collection<GrantRecord>("grants", { sorted: true });

export const keyArn = (key: Pick<KeyRecord, "account" | "region" | "keyId">) => `arn:aws:kms:${key.region}:${key.account}:key/${key.keyId}`;
export const aliasArn = (ctx: RequestContext, name: string) => `arn:aws:kms:${ctx.region}:${ctx.account}:${name}`;

export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString("hex")}` : randomUUID();
}

export function newMaterial(spec: string, now: number, rotationType?: MaterialVersion["rotationType"]): MaterialVersion {
  const secret = generateMaterial(spec);
  const id = createHash("sha256").update(secret).update(randomBytes(16)).digest("hex");
  return { id, secret: secret.toString("base64"), createdAt: now, rotationType };
}

export const currentMaterial = (key: KeyRecord) => key.materials[key.materials.length - 1];
export const materialSecret = (m: MaterialVersion) => Buffer.from(m.secret, "base64");

export function defaultPolicy(account: string): string {
  const statement = {
    Sid: "Enable IAM User Permissions",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${account}:root` },
    Action: "kms:*",
    Resource: "*",
  };
  return JSON.stringify({ Version: "2012-10-17", Id: "key-default-1", Statement: [statement] }, null, 2);
}

/** An AWS managed key's policy: usable by the account only through its service, readable by the account. */
function managedKeyPolicy(ctx: RequestContext, service: string): string {
  const account = { AWS: "*" };
  const viaService = { StringEquals: { "kms:CallerAccount": ctx.account, "kms:ViaService": `${service}.${ctx.region}.amazonaws.com` } };
  const statements = [
    {
      Sid: `Allow access through ${service} for all principals in the account that are authorized to use ${service}`,
      Effect: "Allow",
      Principal: account,
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
      Resource: "*",
      Condition: viaService,
    },
    {
      Sid: "Allow direct access to key metadata to the account",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ctx.account}:root` },
      Action: ["kms:Describe*", "kms:Get*", "kms:List*"],
      Resource: "*",
    },
  ];
  return JSON.stringify({ Version: "2012-10-17", Id: `auto-${service}`, Statement: statements }, null, 2);
}

/** Where a key lives: the request's scope, or another account's for ARNs naming one. */
export interface KeyRef {
  store: ScopeStore;
  key: KeyRecord;
}

export function saveKey(ref: KeyRef): void {
  keyCollection(ref.store).set(ref.key.keyId, ref.key);
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;
const MANAGED_ALIAS = /^alias\/aws\/[a-zA-Z0-9_-]+$/;

/**
 * Finds the key an identifier names: key id, key ARN, and (where the operation allows) alias name or
 * alias ARN. Keys past their deletion date are removed here and automatic rotations fall due here, so
 * time-driven state needs no background timer.
 */
export function resolveKey(ctx: RequestContext, identifier: string, allowAlias = true): KeyRef {
  const { store, account, region, name } = locate(ctx, identifier);
  if (name.startsWith("alias/")) {
    if (!allowAlias) throw new NotFoundException(`Invalid keyId ${identifier}`);
    let alias = aliasCollection(store).get(name);
    if (!alias && MANAGED_ALIAS.test(name) && account === ctx.account) alias = createManagedKey(ctx, name);
    if (!alias) throw new NotFoundException(`Alias arn:aws:kms:${region}:${account}:${name} is not found.`);
    return found(ctx, store, alias.keyId, { account, region, keyId: alias.keyId });
  }
  if (!KEY_ID.test(name)) throw new NotFoundException(`Invalid keyId ${identifier}`);
  return found(ctx, store, name, { account, region, keyId: name });
}

function locate(ctx: RequestContext, identifier: string) {
  const arn = KEY_ARN.exec(identifier) ?? ALIAS_ARN.exec(identifier);
  if (!arn) return { store: ctx.store, account: ctx.account, region: ctx.region, name: identifier };
  const [, region, account, name] = arn;
  // A key is only usable through its own region's endpoint.
  if (region !== ctx.region) {
    throw new NotFoundException(name.startsWith("alias/") ? `Alias ${identifier} is not found.` : `Key '${identifier}' does not exist`);
  }
  const store = account === ctx.account ? ctx.store : ctx.runtime.storeFor(account, region);
  return { store, account, region, name };
}

function found(ctx: RequestContext, store: ScopeStore, keyId: string, where: { account: string; region: string; keyId: string }): KeyRef {
  const key = keyCollection(store).get(keyId);
  if (!key || expire(ctx, { store, key })) throw new NotFoundException(`Key '${keyArn(where)}' does not exist`);
  const ref = { store, key };
  rotateIfDue(ctx, ref);
  expireImportedMaterial(ctx, ref);
  return ref;
}

/** Deletes a key whose waiting period is over (with its aliases and grants); true if it was deleted. */
export function expire(ctx: RequestContext, ref: KeyRef): boolean {
  const { key } = ref;
  if (key.state !== "PendingDeletion" || (key.deletionDate as number) > ctx.runtime.now()) return false;
  keyCollection(ref.store).delete(key.keyId);
  if (key.multiRegion)
    updateRelatedKeys(ctx, key, (related) => {
      related.replicaRegions = (related.replicaRegions ?? []).filter((r) => r !== key.region);
    });
  for (const [name, alias] of [...aliasCollection(ref.store).entries()])
    if (alias.keyId === key.keyId) aliasCollection(ref.store).delete(name);
  for (const [id, grant] of [...grantCollection(ref.store).entries()]) if (grant.keyId === key.keyId) grantCollection(ref.store).delete(id);
  return true;
}

function rotateIfDue(ctx: RequestContext, ref: KeyRef): void {
  const { key } = ref;
  if (key.multiRegion && key.primaryRegion !== key.region) {
    // Replicas follow their primary's schedule: rotate there, which shares the material back here.
    const primaryStore = ctx.runtime.storeFor(key.account, key.primaryRegion as string);
    const primary = keyCollection(primaryStore).get(key.keyId);
    if (primary) rotateIfDue(ctx, { store: primaryStore, key: primary });
    ref.key = keyCollection(ref.store).get(key.keyId) ?? key;
    return;
  }
  const { rotation } = key;
  const now = ctx.runtime.now();
  if (!rotation || rotation.nextRotation > now || key.state === "PendingDeletion") return;
  const dayMs = 86_400_000;
  key.materials.push(newMaterial(key.keySpec, rotation.nextRotation, "AUTOMATIC"));
  rotation.nextRotation += Math.ceil((now - rotation.nextRotation + 1) / (rotation.periodDays * dayMs)) * rotation.periodDays * dayMs;
  saveKey(ref);
  shareMaterial(ctx, key);
}

/** Applies a change to the other regions' copies of a multi-region key (primary and replicas). */
export function updateRelatedKeys(ctx: RequestContext, key: KeyRecord, change: (related: KeyRecord) => void): void {
  const regions = [key.primaryRegion as string, ...(key.replicaRegions ?? [])].filter((r) => r !== key.region);
  for (const region of regions) {
    const store = ctx.runtime.storeFor(key.account, region);
    const related = keyCollection(store).get(key.keyId);
    if (!related) continue;
    change(related);
    keyCollection(store).set(related.keyId, related);
  }
}

/** Multi-region keys share their key material and rotation schedule with every replica. */
export function shareMaterial(ctx: RequestContext, key: KeyRecord): void {
  if (!key.multiRegion || key.origin !== "AWS_KMS") return;
  updateRelatedKeys(ctx, key, (related) => {
    related.materials = structuredClone(key.materials);
    related.rotation = structuredClone(key.rotation);
  });
}

/** Imported material past its ValidTo is deleted, leaving the key waiting for a new import. */
function expireImportedMaterial(ctx: RequestContext, ref: KeyRef): void {
  if (ref.key.validTo === undefined || ref.key.validTo > ctx.runtime.now()) return;
  removeImportedMaterial(ref);
}

export function removeImportedMaterial(ref: KeyRef): void {
  ref.key.materials = [];
  ref.key.validTo = undefined;
  ref.key.expirationModel = undefined;
  if (ref.key.state !== "PendingDeletion") ref.key.state = "PendingImport";
  saveKey(ref);
}

/** Key states every cryptographic operation enforces, with AWS's messages. */
export function requireUsable(key: KeyRecord): void {
  const arn = keyArn(key);
  if (key.state === "Disabled") throw new DisabledException(`${arn} is disabled.`);
  if (key.state === "PendingDeletion") throw new KMSInvalidStateException(`${arn} is pending deletion.`);
  if (key.state === "PendingImport") throw new KMSInvalidStateException(`${arn} is pending import.`);
}

/**
 * AWS managed keys belong to the services that use them: their key policy lets no account principal
 * manage them, so management operations are denied the way IAM denies any unallowed action.
 */
export function requireCustomerManaged(ctx: RequestContext, key: KeyRecord): void {
  if (key.manager !== "AWS") return;
  const action = `kms:${ctx.operation}`;
  throw new AccessDeniedException(
    `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${keyArn(key)} because no resource-based policy allows the ${action} action`,
  );
}

/** Management operations refuse keys scheduled for deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.state === "PendingDeletion") throw new KMSInvalidStateException(`${keyArn(key)} is pending deletion.`);
}

/** Creates the AWS managed key behind `alias/aws/<service>` the first time anything uses it. */
function createManagedKey(ctx: RequestContext, name: string): AliasRecord {
  const now = ctx.runtime.now();
  const service = name.slice("alias/aws/".length);
  const key: KeyRecord = {
    keyId: newKeyId(false),
    account: ctx.account,
    region: ctx.region,
    createdAt: now,
    description: `Default key that protects my ${service} resources when no other key is defined`,
    keySpec: "SYMMETRIC_DEFAULT",
    keyUsage: "ENCRYPT_DECRYPT",
    state: "Enabled",
    origin: "AWS_KMS",
    manager: "AWS",
    multiRegion: false,
    policy: managedKeyPolicy(ctx, service),
    tags: [],
    materials: [newMaterial("SYMMETRIC_DEFAULT", now)],
    rotation: { periodDays: 365, nextRotation: now + 365 * 86_400_000 },
  };
  keyCollection(ctx.store).set(key.keyId, key);
  const alias = { name, keyId: key.keyId, createdAt: now, updatedAt: now };
  aliasCollection(ctx.store).set(name, alias);
  return alias;
}
