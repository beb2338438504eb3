import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { FunctionConfiguration, Layer } from "@aws-sdk/client-lambda";
import { errorClass, ValidationFailure } from "../../protocol/errors.js";
import type { RequestContext, ServiceRuntime } from "../types.js";
import { extractedCode, type StoredCode } from "./code.js";
import { InvalidParameterValueException } from "./errors.js";
import { LAYER_VERSION_ARN, type LayerVersionRecord, layers, unzippedSize } from "./layers.js";

/**
 * Layers as functions use them: the `Layers` setting of CreateFunction/UpdateFunctionConfiguration, and
 * the merged layer directory (our /opt) each execution environment gets.
 */
const AccessDeniedException = errorClass("AccessDeniedException", 403);
const MAX_LAYERS = 5;
const MAX_UNZIPPED = 262_144_000;

// ---- Layers of functions --------------------------------------------------------------------------------

/** A function's layer reference: found in the owner's account (deleted versions included), and shared with the caller. */
function referencedLayer(ctx: RequestContext, arn: string): LayerVersionRecord {
  const [, region, account, name, version] = LAYER_VERSION_ARN.exec(arn) as RegExpExecArray;
  const found = layers(ctx.runtime.storeFor(account, region)).get(name)?.versions[version];
  if (!found || found.deleted)
    throw new InvalidParameterValueException(`Layer version ${arn} does not exist.`, { fields: { Type: "User" } });
  const shared =
    account === ctx.account || found.policy?.statements.some((s) => s.Principal === "*" || s.Principal.includes(`::${ctx.account}:`));
  if (!shared) {
    throw new AccessDeniedException(`User: ${ctx.principal.arn} is not authorized to perform: lambda:GetLayerVersion on resource: ${arn}`);
  }
  return found;
}

function checkLayerArns(arns: string[]): void {
  const bad = arns.find((a) => a.length > 140 || !LAYER_VERSION_ARN.test(a));
  if (bad === undefined) return;
  throw new ValidationFailure([
    {
      path: "layers",
      value: arns,
      constraint:
        "Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]",
      kind: "pattern",
    },
  ]);
}

/**
 * Applies a CreateFunction/UpdateFunctionConfiguration `Layers` list (undefined leaves the configuration as
 * is; an empty list removes every layer): at most 5, each an existing version, one version per layer, and
 * code plus layers within Lambda's 250 MB unzipped limit.
 */
export async function layersFor(arns: string[] | undefined, code: StoredCode, ctx: RequestContext): Promise<Layer[] | undefined> {
  if (arns === undefined) return undefined;
  checkLayerArns(arns);
  if (arns.length > MAX_LAYERS)
    throw new InvalidParameterValueException("Cannot reference more than 5 layers.", { fields: { Type: "User" } });
  const byLayer = new Map<string, string>();
  for (const arn of arns) {
    const layer = arn.slice(0, arn.lastIndexOf(":"));
    const other = byLayer.get(layer);
    if (other !== undefined && other !== arn) {
      throw new InvalidParameterValueException(
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${other} and ${arn} are versions of the same layer.`,
        { fields: { Type: "User" } },
      );
    }
    byLayer.set(layer, arn);
  }
  const resolved = arns.map((arn) => ({ arn, version: referencedLayer(ctx, arn) }));
  const total = resolved.reduce((sum, l) => sum + l.version.unzippedSize, await unzippedSize(ctx.runtime, code));
  if (total > MAX_UNZIPPED) {
    throw new InvalidParameterValueException(
      `Function code combined with layers exceeds the maximum allowed size of ${MAX_UNZIPPED} bytes. The actual size is ${total} bytes.`,
      { fields: { Type: "User" } },
    );
  }
  return resolved.map((l): Layer => ({ Arn: l.arn, CodeSize: l.version.content.size }));
}

/** The configuration with its new layers (undefined: unchanged; an empty list removes them). */
export function withLayers(config: FunctionConfiguration, layers: Layer[] | undefined): FunctionConfiguration {
  if (layers === undefined) return config;
  const { Layers: _previous, ...rest } = config;
  return layers.length ? { ...rest, Layers: layers } : rest;
}

/**
 * The /opt of an environment: the function's layers extracted in order (later ones overwrite earlier
 * files, as Lambda does), merged once per combination under `root`. Undefined without layers.
 */
export async function mergedLayers(runtime: ServiceRuntime, root: string, list: Layer[]): Promise<string | undefined> {
  if (!list.length) return undefined;
  const contents = list.map((l) => {
    const [, region, account, name, version] = LAYER_VERSION_ARN.exec(l.Arn as string) as RegExpExecArray;
    const found = layers(runtime.storeFor(account, region)).get(name)?.versions[version];
    if (!found) throw new Error(`layer ${l.Arn} vanished from the store`);
    return found.content;
  });
  const id = createHash("sha256")
    .update(contents.map((c) => c.sha256).join(","))
    .digest("hex");
  const dir = join(root, "opt", id);
  if (existsSync(dir)) return dir;
  const staging = `${dir}.${process.pid}.${Date.now()}.tmp`;
  mkdirSync(staging, { recursive: true });
  for (const content of contents)
    cpSync(await extractedCode(runtime, join(root, "layers"), content), staging, { recursive: true, force: true });
  if (existsSync(dir)) rmSync(staging, { recursive: true, force: true });
  else renameSync(staging, dir);
  return dir;
}

/**
 * Where runtimes look in /opt, pointed at the merged layer directory (there is no real /opt here):
 * NODE_PATH, PYTHONPATH, PATH and LD_LIBRARY_PATH as Lambda sets them, plus OVERCAST_LAYER_ROOT for
 * custom runtimes and code that hard-codes /opt.
 */
export function layerVariables(dir: string | undefined, runtime: string, path: string): Record<string, string> {
  if (!dir) return {};
  const variables: Record<string, string> = {
    OVERCAST_LAYER_ROOT: dir,
    PATH: `${dir}/bin:${path}`,
    LD_LIBRARY_PATH: `${dir}/lib`,
  };
  const node = /^nodejs(\d+)/.exec(runtime)?.[1];
  if (node) variables.NODE_PATH = [`${dir}/nodejs/node${node}/node_modules`, `${dir}/nodejs/node_modules`].join(":");
  const python = /^(python3\.\d+)/.exec(runtime)?.[1];
  if (python) variables.PYTHONPATH = [`${dir}/python/lib/${python}/site-packages`, `${dir}/python`].join(":");
  return variables;
}
