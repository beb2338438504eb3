import { randomUUID } from "node:crypto";
import type { ServiceRuntime } from "../types.js";
import { DEFAULT_BUS, guarded, type RuleRecord, ruleArn, ruleKey, rulesIn, type Scope } from "./model.js";
import { expireArchivedEvents } from "./archives.js";
import { type EventEnvelope, eventTime, sendToRuleTargets } from "./put-events.js";
import { resumeReplays } from "./replays.js";
import { withNextFire } from "./rules.js";

/** Archive retention is counted in days: an hourly sweep is plenty. */
const ARCHIVE_SWEEP_MS = 3_600_000;
/** How often due schedules are looked for: schedules have one-minute granularity. */
export const SCHEDULE_SWEEP_MS = 5_000;

/** The event a scheduled rule sends its targets at each firing. */
export function scheduledEvent(scope: Scope, rule: Pick<RuleRecord, "bus" | "name">, id: string, firedAt: number): EventEnvelope {
  return {
    version: "0",
    id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: scope.account,
    time: eventTime(firedAt),
    region: scope.region,
    resources: [ruleArn(scope, rule.bus, rule.name)],
    detail: {},
  };
}

/**
 * Fires every enabled scheduled rule, in every account and region, whose time has come, and moves it to
 * its next time.
 */
export function fireDueSchedules(runtime: ServiceRuntime, now: number): number {
  let fired = 0;
  for (const { account, region } of runtime.state.scopes("events")) {
    const rules = rulesIn(runtime.storeFor(account, region));
    for (const [key, rule] of rules.entriesFrom(`${DEFAULT_BUS}|`)) {
      if (!key.startsWith(`${DEFAULT_BUS}|`)) break;
      if (rule.nextFire === undefined || rule.nextFire > now) continue;
      // When even the following firing is past, Overcast was not running: that stretch is skipped, not made up.
      const missed = (withNextFire(rule, rule.nextFire).nextFire ?? Number.POSITIVE_INFINITY) <= now;
      rules.set(ruleKey(rule.bus, rule.name), withNextFire(rule, now));
      if (missed) continue;
      sendToRuleTargets(runtime, { account, region }, rule, scheduledEvent({ account, region }, rule, randomUUID(), rule.nextFire));
      fired++;
    }
  }
  return fired;
}

export function startBackgroundWork(runtime: ServiceRuntime): void {
  runtime.setTimer(
    guarded("firing schedules", () => fireDueSchedules(runtime, runtime.now())),
    SCHEDULE_SWEEP_MS,
    true,
  );
  runtime.setTimer(
    guarded("expiring archived events", () => expireArchivedEvents(runtime, runtime.now())),
    ARCHIVE_SWEEP_MS,
    true,
  );
  resumeReplays(runtime);
}
