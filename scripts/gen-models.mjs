#!/usr/bin/env node
// Extracts the official AWS service models from the schemas that the @aws-sdk/client-* v3 packages
// export, into one compact JSON file per service under models/. Loading these at run time is far
// cheaper than requiring a whole SDK client (see docs/architecture.md, "Models").
// Usage: node scripts/gen-models.mjs            (every service in SERVICES)
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));

/** Our service id → the SDK package that carries its model. */
const SERVICES = {
  sqs: "@aws-sdk/client-sqs",
  sns: "@aws-sdk/client-sns",
  s3: "@aws-sdk/client-s3",
  dynamodb: "@aws-sdk/client-dynamodb",
  dynamodbstreams: "@aws-sdk/client-dynamodb-streams",
  lambda: "@aws-sdk/client-lambda",
  logs: "@aws-sdk/client-cloudwatch-logs",
  iam: "@aws-sdk/client-iam",
  sts: "@aws-sdk/client-sts",
  kms: "@aws-sdk/client-kms",
  secretsmanager: "@aws-sdk/client-secrets-manager",
  ssm: "@aws-sdk/client-ssm",
  ec2: "@aws-sdk/client-ec2",
  kinesis: "@aws-sdk/client-kinesis",
  events: "@aws-sdk/client-eventbridge",
};

const TRAIT_BITS = ["httpLabel", "idempotent", "idempotencyToken", "sensitive", "httpPayload", "httpResponseCode", "httpQueryParams"];
const SIMPLE = { 0: "string", 1: "number", 2: "boolean", 15: "document", 17: "bigInteger", 19: "bigDecimal", 21: "blob", 42: "blob" };
const TIMESTAMP_FORMATS = { 5: "date-time", 6: "http-date", 7: "epoch-seconds" };
// Traits that only matter to client code generation.
const DROPPED_TRAITS = new Set(["error", "httpChecksum", "endpoint", "hostLabel", "contextParam", "httpChecksumRequired"]);

function translateTraits(indicator) {
  if (indicator && typeof indicator === "object") return { ...indicator };
  const traits = {};
  TRAIT_BITS.forEach((name, i) => {
    if (((indicator | 0) >> i) & 1) traits[name] = true;
  });
  return traits;
}

const deref = (ref) => (typeof ref === "function" ? ref() : ref);

function cleanTraits(traits) {
  const out = {};
  for (const [k, v] of Object.entries(traits)) {
    if (DROPPED_TRAITS.has(k)) continue;
    if (k === "awsQueryError") out.awsQueryError = { code: v[0], status: v[1] };
    else if (k === "http") out.http = { method: v[0], uri: v[1], code: v[2] };
    else out[k] = v === 1 ? true : v;
  }
  return out;
}

class ModelBuilder {
  shapes = {};
  enums = {};

  /** Returns the name under which `ref` (a schema, possibly a simple-type number) is recorded. */
  shapeName(ref) {
    const sc = deref(ref);
    if (typeof sc === "number") return this.simpleName(sc);
    if (sc === "unit") {
      this.shapes.__unit ??= { type: "structure", members: {} };
      return "__unit";
    }
    if (!Array.isArray(sc)) throw new Error(`unexpected schema ${String(sc)}`);
    const [kind, , name, traits] = sc;
    if (kind === 9) throw new Error("operation used as a shape");
    if (this.shapes[name]) return name;
    const shape = { traits: cleanTraits(translateTraits(traits)) };
    this.shapes[name] = shape; // registered before recursion: models are cyclic
    if (kind === 0) {
      const base = deref(sc[4]);
      Object.assign(shape, this.simpleShape(base));
      if (base === 42) shape.traits.streaming = true;
    } else if (kind === 1) {
      shape.type = "list";
      shape.member = this.member(sc[4], "member");
    } else if (kind === 2) {
      shape.type = "map";
      shape.key = this.member(sc[4], "key");
      shape.value = this.member(sc[5], "value");
    } else if (kind === 3 || kind === -3 || kind === 4) {
      shape.type = kind === 4 ? "union" : "structure";
      if (kind === -3) shape.error = true;
      shape.members = {};
      const names = sc[4];
      names.forEach((m, i) => {
        shape.members[m] = this.member(sc[5][i], m);
      });
      const required = sc[6] ?? 0;
      if (required) shape.required = names.slice(0, required);
    } else {
      throw new Error(`unknown schema kind ${kind} for ${name}`);
    }
    if (Object.keys(shape.traits).length === 0) delete shape.traits;
    return name;
  }

  simpleShape(num) {
    if (num >= 4 && num <= 7) {
      const shape = { type: "timestamp" };
      if (TIMESTAMP_FORMATS[num]) shape.traits = { timestampFormat: TIMESTAMP_FORMATS[num] };
      return shape;
    }
    if (SIMPLE[num]) return { type: SIMPLE[num] };
    throw new Error(`unknown simple schema ${num}`);
  }

  simpleName(num) {
    if (num & 64 || num & 128) {
      const inner = this.simpleName(num & 0b0011_1111);
      const kind = num & 64 ? "list" : "map";
      const name = `__${kind}_${inner}`;
      if (!this.shapes[name]) {
        this.shapes[name] =
          kind === "list"
            ? { type: "list", member: { target: inner } }
            : { type: "map", key: { target: "string" }, value: { target: inner } };
      }
      return name;
    }
    const shape = this.simpleShape(num);
    const name = shape.traits ? `__timestamp_${shape.traits.timestampFormat}` : shape.type;
    if (num === 42) {
      this.shapes.__streamingBlob ??= { type: "blob", traits: { streaming: true } };
      return "__streamingBlob";
    }
    if (!this.shapes[name]) this.shapes[name] = shape;
    return name;
  }

  member(ref, memberName) {
    const isMember = Array.isArray(ref) && ref.length === 2;
    const target = this.shapeName(isMember ? ref[0] : ref);
    const member = { target, ...cleanTraits(isMember ? translateTraits(ref[1]) : {}) };
    // A timestamp member's format lives on its target; fold it in so readers need one look-up.
    const targetShape = this.shapes[target];
    if (targetShape?.type === "timestamp" && targetShape.traits?.timestampFormat && !member.timestampFormat) {
      member.timestampFormat = targetShape.traits.timestampFormat;
    }
    void memberName;
    return member;
  }
}

/** Reads `readonly X: "x"` enum objects and interface members typed by them from the SDK's .d.ts files. */
function readEnums(pkgDir) {
  const modelsDir = join(pkgDir, "dist-types", "models");
  const enumsFile = join(modelsDir, "enums.d.ts");
  const enums = {};
  if (existsSync(enumsFile)) {
    const text = readFileSync(enumsFile, "utf8");
    for (const m of text.matchAll(/export declare const (\w+): \{([^}]*)\};/g)) {
      const values = [...m[2].matchAll(/readonly [^:]+: "([^"]*)";/g)].map((v) => v[1]);
      if (values.length) enums[m[1]] = values;
    }
  }
  const memberEnums = {};
  for (let i = 0; ; i++) {
    const file = join(modelsDir, `models_${i}.d.ts`);
    if (!existsSync(file)) break;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      for (const mm of m[2].matchAll(/^ {4}(\w+)\??: ([^;]+);/gm)) {
        const type = mm[2].replace(/ \| undefined$/, "").trim();
        const base = type.replace(/\[\]$/, "").replace(/^Record<string, (\w+)>$/, "$1");
        if (!enums[base]) continue;
        memberEnums[m[1]] ??= {};
        memberEnums[m[1]][mm[1]] = base;
      }
    }
  }
  return { enums, memberEnums };
}

/** Attaches `enum` to string members whose declared type is an SDK enum (directly, as list items or map values). */
function attachEnums(builder, { enums, memberEnums }) {
  for (const [shapeName, members] of Object.entries(memberEnums)) {
    const shape = builder.shapes[shapeName];
    if (!shape?.members) continue;
    for (const [memberName, enumName] of Object.entries(members)) {
      const member = shape.members[memberName];
      if (!member) continue;
      const target = builder.shapes[member.target];
      if (target?.type === "string") member.enum = enums[enumName];
      else if (target?.type === "list" && builder.shapes[target.member.target]?.type === "string") {
        // Lists are shared shapes; give this member its own copy carrying the enum.
        const name = `${member.target}__${enumName}`;
        builder.shapes[name] ??= { ...target, member: { ...target.member, enum: enums[enumName] } };
        member.target = name;
      } else if (target?.type === "map" && builder.shapes[target.value.target]?.type === "string") {
        const name = `${member.target}__${enumName}`;
        builder.shapes[name] ??= { ...target, value: { ...target.value, enum: enums[enumName] } };
        member.target = name;
      }
    }
  }
}

function readMetadata(pkgDir) {
  const shared = readFileSync(join(pkgDir, "dist-es", "runtimeConfig.shared.js"), "utf8");
  const auth = readFileSync(join(pkgDir, "dist-es", "auth", "httpAuthSchemeProvider.js"), "utf8");
  const pick = (re, text = shared) => text.match(re)?.[1];
  const protocolClass = pick(/protocol: config\?\.protocol \?\? (\w+)/);
  const protocols = {
    AwsJson1_0Protocol: "awsJson1_0",
    AwsJson1_1Protocol: "awsJson1_1",
    AwsQueryProtocol: "awsQuery",
    AwsEc2QueryProtocol: "ec2Query",
    AwsRestJsonProtocol: "restJson1",
    AwsRestXmlProtocol: "restXml",
    S3RestXmlProtocol: "restXml",
    AwsSmithyRpcV2CborProtocol: "rpcv2Cbor",
  };
  const protocol = protocols[protocolClass];
  if (!protocol) throw new Error(`unknown protocol class ${protocolClass}`);
  return {
    protocol,
    namespace: pick(/defaultNamespace: "([^"]+)"/),
    apiVersion: pick(/apiVersion: "([^"]+)"/),
    serviceId: pick(/serviceId: config\?\.serviceId \?\? "([^"]+)"/),
    signingName: pick(/name: "([^"]+)"/, auth),
    targetPrefix: protocol.startsWith("awsJson") ? pick(/serviceTarget: "([^"]+)"/) : undefined,
    xmlNamespace: pick(/xmlNamespace: "([^"]+)"/),
    awsQueryCompatible: /awsQueryCompatible: true/.test(shared) || undefined,
    jsonVersion: protocol === "awsJson1_0" ? "1.0" : protocol === "awsJson1_1" ? "1.1" : undefined,
  };
}

/**
 * Model fixes, one reason each:
 * - s3: the SDK moves the bucket into the endpoint, so its URIs lack the `/{Bucket}` segment that S3's own
 *   model (and every client that sends path-style requests) has; and `x-id=<Operation>` is a query marker
 *   that only the SDK adds, which S3 ignores.
 */
function fixHttpBinding(serviceId, http, inputShape) {
  if (serviceId !== "s3") return http;
  let uri = http.uri.replace(/[?&]x-id=\w+/, "");
  if (inputShape?.members?.Bucket?.httpLabel && !uri.includes("{Bucket}")) {
    uri = uri.startsWith("/?") || uri === "/" ? `/{Bucket}${uri.slice(1)}` : `/{Bucket}${uri}`;
  }
  return { ...http, uri };
}

function buildService(id, pkg) {
  const pkgDir = dirname(require.resolve(`${pkg}/package.json`));
  const sdk = require(pkg);
  const builder = new ModelBuilder();
  const operations = {};
  const errors = [];
  for (const [exportName, value] of Object.entries(sdk)) {
    if (!exportName.endsWith("$") || !Array.isArray(value)) continue;
    if (typeof value[1] === "string" && value[1].startsWith("smithy.ts.sdk.synthetic")) continue;
    if (value[0] === 9) {
      const traits = cleanTraits(translateTraits(value[3]));
      const op = { input: builder.shapeName(value[4]), output: builder.shapeName(value[5]) };
      if (traits.http) op.http = fixHttpBinding(id, traits.http, builder.shapes[op.input]);
      delete traits.http;
      if (Object.keys(traits).length) op.traits = traits;
      operations[value[2]] = op;
    } else if (value[0] === -3) {
      errors.push(builder.shapeName(value));
    } else {
      builder.shapeName(value);
    }
  }
  attachEnums(builder, readEnums(pkgDir));
  const version = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
  const sortedOps = Object.fromEntries(
    Object.keys(operations)
      .sort()
      .map((k) => [k, operations[k]]),
  );
  const sortedShapes = Object.fromEntries(
    Object.keys(builder.shapes)
      .sort()
      .map((k) => [k, builder.shapes[k]]),
  );
  return {
    id,
    source: `${pkg}@${version}`,
    metadata: readMetadata(pkgDir),
    operations: sortedOps,
    errors: errors.sort(),
    shapes: sortedShapes,
  };
}

const only = process.argv.slice(2);
mkdirSync(join(root, "models"), { recursive: true });
for (const [id, pkg] of Object.entries(SERVICES)) {
  if (only.length && !only.includes(id)) continue;
  const model = buildService(id, pkg);
  writeFileSync(join(root, "models", `${id}.json`), `${JSON.stringify(model)}\n`);
  console.log(`${id}: ${Object.keys(model.operations).length} operations, ${Object.keys(model.shapes).length} shapes (${model.source})`);
}
