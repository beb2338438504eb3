import { invalid } from "./errors.js";

/** An HTTP/S delivery policy's healthyRetryPolicy (subscription) or http.defaultHealthyRetryPolicy (topic). */
export interface RetryPolicy {
  numRetries?: number;
  numNoDelayRetries?: number;
  numMinDelayRetries?: number;
  numMaxDelayRetries?: number;
  minDelayTarget?: number;
  maxDelayTarget?: number;
  backoffFunction?: string;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: "linear",
};
const BACKOFF_FUNCTIONS = new Set(["linear", "arithmetic", "geometric", "exponential"]);
const MAX_RETRIES = 100;
const MAX_DELAY = 3600;

/** Checks a DeliveryPolicy attribute: a subscription's `{healthyRetryPolicy}` or a topic's `{http: {defaultHealthyRetryPolicy}}`. */
export function validateDeliveryPolicy(text: string, level: "topic" | "subscription"): void {
  let policy: Record<string, unknown>;
  try {
    policy = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw invalid("DeliveryPolicy: failed to parse JSON.");
  }
  if (!policy || typeof policy !== "object" || Array.isArray(policy)) throw invalid("DeliveryPolicy: failed to parse JSON.");
  const retry =
    level === "topic" ? (policy.http as Record<string, unknown> | undefined)?.defaultHealthyRetryPolicy : policy.healthyRetryPolicy;
  if (retry !== undefined) validateRetryPolicy(retry as RetryPolicy);
}

function validateRetryPolicy(policy: RetryPolicy): void {
  const counts = ["numRetries", "numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries"] as const;
  for (const key of counts) {
    const value = policy[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > MAX_RETRIES)) {
      throw invalid(`DeliveryPolicy: ${key} must be an integer between 0 and ${MAX_RETRIES}`);
    }
  }
  const { minDelayTarget: min = 20, maxDelayTarget: max = 20, numRetries = 3 } = policy;
  if (!Number.isInteger(min) || min < 1 || min > MAX_DELAY)
    throw invalid(`DeliveryPolicy: minDelayTarget must be an integer between 1 and ${MAX_DELAY}`);
  if (!Number.isInteger(max) || max < 1 || max > MAX_DELAY)
    throw invalid(`DeliveryPolicy: maxDelayTarget must be an integer between 1 and ${MAX_DELAY}`);
  if (min > max) throw invalid("DeliveryPolicy: minDelayTarget must be less than or equal to maxDelayTarget");
  const phases = (policy.numNoDelayRetries ?? 0) + (policy.numMinDelayRetries ?? 0) + (policy.numMaxDelayRetries ?? 0);
  if (phases > numRetries) throw invalid("DeliveryPolicy: numRetries must be greater than or equal to the sum of the retry phases");
  if (policy.backoffFunction !== undefined && !BACKOFF_FUNCTIONS.has(policy.backoffFunction)) {
    throw invalid(`DeliveryPolicy: backoffFunction must be one of ${[...BACKOFF_FUNCTIONS].join(", ")}`);
  }
}

/**
 * Seconds before each retry, in SNS's four phases: immediate retries, retries at the minimum delay, the
 * backoff phase from the minimum to the maximum delay along the backoff function, retries at the maximum.
 */
export function retryDelays(policy: RetryPolicy): number[] {
  const total = policy.numRetries ?? 3;
  const min = policy.minDelayTarget ?? 20;
  const max = policy.maxDelayTarget ?? 20;
  const noDelay = policy.numNoDelayRetries ?? 0;
  const minDelay = policy.numMinDelayRetries ?? 0;
  const maxDelay = policy.numMaxDelayRetries ?? 0;
  const backoff = Math.max(0, total - noDelay - minDelay - maxDelay);
  const curve = backoffCurve(policy.backoffFunction ?? "linear");
  const delays = [
    ...Array<number>(noDelay).fill(0),
    ...Array<number>(minDelay).fill(min),
    ...Array.from({ length: backoff }, (_, i) => (backoff === 1 ? max : min + (max - min) * curve(i / (backoff - 1)))),
    ...Array<number>(maxDelay).fill(max),
  ];
  return delays.slice(0, total);
}

/** The shape of the backoff phase, as a fraction 0..1 of the way from the minimum to the maximum delay. */
function backoffCurve(name: string): (t: number) => number {
  if (name === "arithmetic") return (t) => t * t;
  if (name === "geometric") return (t) => t * t * t;
  if (name === "exponential") return (t) => (2 ** (10 * t) - 1) / (2 ** 10 - 1);
  return (t) => t;
}

const parseObject = (text: string | undefined): Record<string, unknown> => {
  try {
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** A topic's EffectiveDeliveryPolicy: its own DeliveryPolicy over SNS's defaults. */
export function effectiveTopicDeliveryPolicy(own: string | undefined): Record<string, unknown> {
  const http = (parseObject(own).http ?? {}) as Record<string, unknown>;
  return {
    http: {
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
      ...http,
      defaultHealthyRetryPolicy: { ...DEFAULT_RETRY, ...((http.defaultHealthyRetryPolicy as RetryPolicy | undefined) ?? {}) },
    },
  };
}

/** The retry policy HTTP/S deliveries of a subscription follow: its own unless the topic forbids overrides, else the topic's. */
export function effectiveRetryPolicy(subscriptionPolicy: string | undefined, topicPolicy: string | undefined): Required<RetryPolicy> {
  const topicHttp = effectiveTopicDeliveryPolicy(topicPolicy).http as Record<string, unknown>;
  const topicRetry = topicHttp.defaultHealthyRetryPolicy as Required<RetryPolicy>;
  const own = parseObject(subscriptionPolicy).healthyRetryPolicy as RetryPolicy | undefined;
  return topicHttp.disableSubscriptionOverrides === true || !own ? topicRetry : { ...DEFAULT_RETRY, ...own };
}
