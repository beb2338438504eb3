import assert from "node:assert/strict";
import { test } from "node:test";
import { retryDelays, validateDeliveryPolicy } from "../../src/services/sns/retry-policy.js";

test("retry delays follow SNS's four phases", () => {
  assert.deepEqual(retryDelays({}), [20, 20, 20]);
  assert.deepEqual(
    retryDelays({
      numRetries: 5,
      numNoDelayRetries: 1,
      numMinDelayRetries: 1,
      numMaxDelayRetries: 1,
      minDelayTarget: 2,
      maxDelayTarget: 10,
    }),
    [0, 2, 2, 10, 10],
  );
  assert.deepEqual(retryDelays({ numRetries: 3, minDelayTarget: 1, maxDelayTarget: 9 }), [1, 5, 9]);
  assert.deepEqual(retryDelays({ numRetries: 3, minDelayTarget: 1, maxDelayTarget: 9, backoffFunction: "arithmetic" }), [1, 3, 9]);
  const exponential = retryDelays({ numRetries: 4, minDelayTarget: 1, maxDelayTarget: 100, backoffFunction: "exponential" });
  assert.equal(exponential[0], 1);
  assert.equal(exponential[3], 100);
  assert.ok(exponential[1] < 10, "exponential backoff starts slowly");
  assert.deepEqual(retryDelays({ numRetries: 0 }), []);
});

test("delivery policies are validated", () => {
  validateDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { numRetries: 2, minDelayTarget: 1, maxDelayTarget: 5 } }), "subscription");
  validateDeliveryPolicy(JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 50 } } }), "topic");
  const bad: [object | string, RegExp][] = [
    ["{nope", /failed to parse JSON/],
    [{ healthyRetryPolicy: { numRetries: 101 } }, /numRetries must be an integer between 0 and 100/],
    [{ healthyRetryPolicy: { minDelayTarget: 0 } }, /minDelayTarget must be an integer between 1 and 3600/],
    [{ healthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } }, /minDelayTarget must be less than or equal to maxDelayTarget/],
    [{ healthyRetryPolicy: { numRetries: 1, numNoDelayRetries: 2 } }, /sum of the retry phases/],
    [{ healthyRetryPolicy: { backoffFunction: "random" } }, /backoffFunction must be one of/],
  ];
  for (const [policy, message] of bad) {
    const text = typeof policy === "string" ? policy : JSON.stringify(policy);
    assert.throws(
      () => validateDeliveryPolicy(text, "subscription"),
      (err: Error) => err.name === "InvalidParameterException" && message.test(err.message),
      text,
    );
  }
});
