import type { InputTransformer, Target } from "@aws-sdk/client-eventbridge";
import { isObject, type Json, type JsonObject } from "../../internal/event-pattern.js";
import { ValidationException } from "./errors.js";

/** What a target receives besides the event itself, for the predefined transformer variables. */
export interface DeliveryInfo {
  ruleArn: string;
  ruleName: string;
  /** ISO 8601 time EventBridge received the event. */
  ingestionTime: string;
}

const MAX_VARIABLES = 100;
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PATH = /^\$(\.(\*|[^.[\]]+)|\[(\d+|\*)\])*$/;

export function validateTransformer(id: string, transformer: InputTransformer): void {
  const paths = Object.entries(transformer.InputPathsMap ?? {});
  if (paths.length > MAX_VARIABLES) throw new ValidationException(`InputPathsMap for target ${id} has more than ${MAX_VARIABLES} entries.`);
  for (const [name, path] of paths) {
    if (!VARIABLE_NAME.test(name) || name.startsWith("aws."))
      throw new ValidationException(`Invalid InputPathsMap key ${name} for target ${id}.`);
    if (!PATH.test(path)) throw new ValidationException(`Invalid InputPathsMap value ${path} for target ${id}.`);
  }
}

/** The text a target is sent for an event: the event, its Input, the value at its InputPath, or its transformed input. */
export function targetInput(target: Target, event: JsonObject, info: DeliveryInfo): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(select(event, target.InputPath) ?? null);
  if (target.InputTransformer) return transform(target.InputTransformer, event, info);
  return JSON.stringify(event);
}

/** The JSONPath subset EventBridge evaluates: `$`, `.name`, `[n]` and `*` (which collects into a list). */
export function select(value: Json, path: string): Json | undefined {
  const segments = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+|\*)\]/g)].map((m) => m[1] ?? m[2]);
  let current: Json[] = [value];
  let collecting = false;
  for (const segment of segments) {
    const next: Json[] = [];
    for (const item of current) {
      if (segment === "*") {
        collecting = true;
        if (Array.isArray(item)) next.push(...item);
        else if (isObject(item)) next.push(...Object.values(item));
      } else if (Array.isArray(item) && /^\d+$/.test(segment)) {
        if (Number(segment) < item.length) next.push(item[Number(segment)]);
      } else if (isObject(item) && segment in item) {
        next.push(item[segment]);
      }
    }
    current = next;
  }
  return collecting ? current : current[0];
}

/**
 * Fills `<name>` placeholders. Inside a JSON string a value goes in as text (strings unquoted, escaped);
 * elsewhere it goes in as JSON, except that a plain-text template takes strings as they are.
 */
function transform(transformer: InputTransformer, event: JsonObject, info: DeliveryInfo): string {
  const template = transformer.InputTemplate ?? "";
  const values = variables(transformer, event, info);
  const jsonTemplate = /^\s*[{[]/.test(template);
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch === "\\" && inString) {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (ch === '"') inString = !inString;
    const placeholder = ch === "<" ? /^<([^<>\s]+)>/.exec(template.slice(i)) : null;
    if (placeholder && values.has(placeholder[1])) {
      out += render(values.get(placeholder[1]), inString, jsonTemplate);
      i += placeholder[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

function variables(transformer: InputTransformer, event: JsonObject, info: DeliveryInfo): Map<string, Json | undefined> {
  const { detail: _detail, ...withoutDetail } = event;
  const values = new Map<string, Json | undefined>([
    ["aws.events.rule-arn", info.ruleArn],
    ["aws.events.rule-name", info.ruleName],
    ["aws.events.event.ingestion-time", info.ingestionTime],
    ["aws.events.event", withoutDetail],
    ["aws.events.event.json", event],
  ]);
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) values.set(name, select(event, path));
  return values;
}

function render(value: Json | undefined, inString: boolean, jsonTemplate: boolean): string {
  if (inString) {
    if (value === undefined || value === null) return "";
    return typeof value === "string" ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value);
  }
  if (typeof value === "string" && !jsonTemplate) return value;
  return JSON.stringify(value ?? null);
}
