import type { RequestContext } from "../types.js";
import { ExpiredNextTokenException, InvalidArgumentException } from "./errors.js";

/** ListShards' tokens expire after 300 seconds. */
const TOKEN_TTL_MS = 300_000;

export interface PageToken {
  /** The last item of the page handed out. */
  after: string;
  /** What the token lists (ListShards: the stream), so a token is not replayed on another resource. */
  of?: string;
  /** ListShards' ShardFilter, which the token carries on. */
  filter?: { type: string; shardId?: string; timestamp?: number };
  at?: number;
}

export function encodeToken(ctx: RequestContext, token: PageToken): string {
  return Buffer.from(JSON.stringify({ ...token, at: ctx.runtime.now() })).toString("base64");
}

export function decodeToken(text: string, ctx: RequestContext, expires = false): PageToken {
  let token: PageToken | undefined;
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64").toString("utf8")) as PageToken;
    if (typeof parsed.after === "string" && typeof parsed.at === "number") token = parsed;
  } catch {
    // Reported below.
  }
  if (!token) throw new InvalidArgumentException(`Invalid NextToken: ${text}`);
  if (expires && ctx.runtime.now() - (token.at as number) > TOKEN_TTL_MS) {
    throw new ExpiredNextTokenException(`The nextToken has expired. Tokens are valid for ${TOKEN_TTL_MS / 1000} seconds.`);
  }
  return token;
}
