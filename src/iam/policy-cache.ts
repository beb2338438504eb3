import type { Principal } from "../services/types.js";
import type { StateBackend } from "../state/store.js";
import { AWS_MANAGED_POLICIES } from "./managed-policies.js";
import { type Policy, type PolicyKind, parsePolicy } from "./policy.js";
import { type IamCollections, iamState, identityStamp, type PolicyHolder, type SessionRecord, stsSessions, type Tag } from "./records.js";

/** Parsed documents by their text: a document's meaning never changes, so each is parsed once. */
const MAX_CACHED = 10_000;

/** Stands for "no resource policy" where decisions are kept per resource policy. */
const NO_RESOURCE_POLICY = Object.freeze({});

export class PolicyCache {
  /** By kind, then by the document itself: the stored strings are looked up as they are (their hashes are cached). */
  private readonly parsed = new Map<PolicyKind, Map<string, Policy | null>>();
  /** What governs each caller, valid while IAM and STS state stay unchanged (the stamp says since when). */
  private readonly callers = new Map<string, { stamp: string; policies: CallerPolicies }>();
  private readonly allowed = new WeakMap<CallerPolicies, WeakMap<object, Set<string>>>();

  /** callerPolicies(), reused until any IAM or STS state changes. */
  callerPolicies(state: StateBackend, principal: Principal): CallerPolicies {
    const stamp = identityStamp(state);
    const key = `${principal.arn}|${principal.accessKeyId ?? ""}`;
    const cached = this.callers.get(key);
    if (cached?.stamp === stamp) return cached.policies;
    const policies = callerPolicies(state, this, principal);
    if (this.callers.size >= MAX_CACHED) this.callers.clear();
    this.callers.set(key, { stamp, policies });
    return policies;
  }

  /**
   * The (action, resource) pairs already allowed to this caller under this resource policy, for evaluations
   * that read no request context. Dropped with the caller's entry when IAM or STS state changes, and
   * per resource policy: a changed policy is another document, so another parsed object.
   */
  allowedFor(caller: CallerPolicies, resourcePolicy: Policy | undefined): Set<string> {
    let byPolicy = this.allowed.get(caller);
    if (!byPolicy) {
      byPolicy = new WeakMap();
      this.allowed.set(caller, byPolicy);
    }
    const key = resourcePolicy ?? NO_RESOURCE_POLICY;
    let pairs = byPolicy.get(key);
    if (!pairs || pairs.size >= MAX_CACHED) {
      pairs = new Set();
      byPolicy.set(key, pairs);
    }
    return pairs;
  }

  /** The parsed policy, or undefined for a document IAM would reject (a stored resource policy we cannot read). */
  get(document: string, kind: PolicyKind): Policy | undefined {
    let byDocument = this.parsed.get(kind);
    if (!byDocument) {
      byDocument = new Map();
      this.parsed.set(kind, byDocument);
    }
    let policy = byDocument.get(document);
    if (policy === undefined) {
      try {
        policy = parsePolicy(document, kind);
      } catch {
        policy = null;
      }
      if (byDocument.size >= MAX_CACHED) byDocument.clear();
      byDocument.set(document, policy);
    }
    return policy ?? undefined;
  }
}

/** Everything about a caller that IAM evaluation needs beyond the request itself. */
export interface CallerPolicies {
  identity: Policy[];
  boundary?: Policy[];
  session?: Policy[];
  /** The user's or role's tags, for aws:PrincipalTag/<key>. */
  tags: Tag[];
  /** The STS session the request was signed with, if any. */
  sessionRecord?: SessionRecord;
}

/**
 * The identity policies, permissions boundary and session policies that govern a caller, read from IAM
 * state with each document parsed through the cache (the same sources as identity.ts's lookups).
 */
export function callerPolicies(state: StateBackend, cache: PolicyCache, principal: Principal): CallerPolicies {
  const store = iamState(state, principal.account);
  const sessionRecord =
    principal.accessKeyId?.startsWith("ASIA") === true ? stsSessions(state, principal.account).get(principal.accessKeyId) : undefined;
  const session = sessionRecord?.sessionPolicies?.map((d) => cache.get(d, "session")).filter((p) => p !== undefined);
  // A federated session of the root: the root's own permissions are everything; its session policies limit them.
  if (principal.type === "federated" && !sessionRecord?.userName) {
    return { identity: [cache.get(ALLOW_ALL, "identity") as Policy], session: session ?? [], tags: [], sessionRecord };
  }
  const holder = holderOf(store, principal, sessionRecord);
  if (!holder) return { identity: [], session, tags: [], sessionRecord };
  const groups = "Groups" in holder ? (holder.Groups as string[]).map((g) => store.groups.get(g)).filter((g) => g !== undefined) : [];
  const identity = [holder, ...groups].flatMap((h) => holderDocuments(store, h)).map((d) => cache.get(d, "identity"));
  const boundaryArn = "PermissionsBoundary" in holder ? (holder.PermissionsBoundary as string | undefined) : undefined;
  const boundaryDocument = boundaryArn ? managedDocument(store, boundaryArn) : undefined;
  return {
    identity: identity.filter((p) => p !== undefined),
    boundary: boundaryArn
      ? [boundaryDocument ? cache.get(boundaryDocument, "identity") : undefined].filter((p) => p !== undefined)
      : undefined,
    session,
    tags: "Tags" in holder ? (holder.Tags as Tag[]) : [],
    sessionRecord,
  };
}

const ALLOW_ALL = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

/** The user or role whose policies govern the caller: a federated user's are those of the IAM user that made the session. */
function holderOf(store: IamCollections, principal: Principal, session: SessionRecord | undefined) {
  const parts = principal.arn.split("/");
  if (principal.type === "user") return store.users.get(parts[parts.length - 1]);
  if (principal.type === "assumed-role") return store.roles.get(parts[1]);
  if (principal.type === "federated" && session?.userName) return store.users.get(session.userName);
  return undefined;
}

function holderDocuments(store: IamCollections, holder: PolicyHolder): string[] {
  const attached = holder.AttachedPolicies.map((arn) => managedDocument(store, arn)).filter((d) => d !== undefined);
  return [...Object.values(holder.InlinePolicies), ...attached];
}

/** A managed policy's default version: AWS's catalog or the account's own. */
function managedDocument(store: IamCollections, arn: string): string | undefined {
  const aws = AWS_MANAGED_POLICIES.get(arn);
  if (aws) return aws.Document;
  const record = store.policies.get(arn);
  return record?.Versions.find((v) => v.VersionId === record.DefaultVersionId)?.Document;
}
