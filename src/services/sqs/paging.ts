import { AwsError } from "../../protocol/errors.js";
import { InvalidParameterValue } from "./errors.js";

interface PageRequest {
  MaxResults?: number;
  NextToken?: string;
}

/**
 * ListQueues-style paging over a sorted collection: NextToken is only returned when MaxResults was given
 * (SQS's rule), and names the last queue returned.
 */
export function paginate<V>(
  input: PageRequest,
  entries: Iterable<[string, V]>,
  inRange: (entry: [string, V]) => boolean,
  include: (entry: [string, V]) => boolean = () => true,
): { names: string[]; nextToken?: string } {
  const max = input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw new InvalidParameterValue("Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
  }
  if (input.NextToken !== undefined && max === undefined) {
    throw new InvalidParameterValue("MaxResults is a mandatory parameter when you provide a value for NextToken.");
  }
  const limit = max ?? 1000;
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const names: string[] = [];
  let more = false;
  for (const entry of entries) {
    if (!inRange(entry)) break;
    if (after !== undefined && entry[0] <= after) continue;
    if (!include(entry)) continue;
    if (names.length === limit) {
      more = true;
      break;
    }
    names.push(entry[0]);
  }
  return { names, nextToken: more && max !== undefined ? encodeToken(names[names.length - 1]) : undefined };
}

const encodeToken = (name: string) => Buffer.from(JSON.stringify({ after: name })).toString("base64");

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw new AwsError("InvalidParameterValue", "Invalid NextToken value.", { status: 400 });
}
