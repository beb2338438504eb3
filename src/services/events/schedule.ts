/**
 * Schedule expressions of scheduled rules: `rate(5 minutes)` and six-field, UTC `cron(min hour dom month dow year)`,
 * parsed once and asked for their next firing time. Pure functions.
 */
export type Schedule = { kind: "rate"; periodMs: number } | { kind: "cron"; cron: Cron };

interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number>;
  /** Exactly one of the two day fields is `?`; the other decides which days match. */
  dayOfMonth?: DayRule;
  dayOfWeek?: DayRule;
}

type DayRule = (year: number, month: number, day: number) => boolean;

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MAX_YEAR = 2199;

/** The parsed schedule, or undefined when AWS would call the expression not valid. */
export function parseSchedule(expression: string): Schedule | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const singular = !rate[2].endsWith("s");
    if (value < 1 || singular !== (value === 1)) return undefined;
    return { kind: "rate", periodMs: value * UNIT_MS[rate[2].replace(/s$/, "")] };
  }
  const cron = /^cron\(([^)]*)\)$/.exec(expression);
  const parsed = cron ? parseCron(cron[1].trim().split(/\s+/)) : undefined;
  return parsed && { kind: "cron", cron: parsed };
}

function parseCron(fields: string[]): Cron | undefined {
  if (fields.length !== 6) return undefined;
  const [min, hour, dom, month, dow, year] = fields;
  if ((dom === "?") === (dow === "?")) return undefined;
  const minutes = valueSet(min, 0, 59);
  const hours = valueSet(hour, 0, 23);
  const months = valueSet(month, 1, 12, MONTHS, 1);
  const years = valueSet(year, 1970, MAX_YEAR);
  if (!minutes || !hours || !months || !years) return undefined;
  const dayOfMonth = dom === "?" ? undefined : dayOfMonthRule(dom);
  const dayOfWeek = dow === "?" ? undefined : dayOfWeekRule(dow);
  if (dom !== "?" && !dayOfMonth) return undefined;
  if (dow !== "?" && !dayOfWeek) return undefined;
  return { minutes, hours, months, years, dayOfMonth, dayOfWeek };
}

/** `*`, `a`, `a-b`, `a/n`, `*\/n`, `a-b/n` and comma lists of them; names (JAN, MON) where the field has them. */
function valueSet(field: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> | undefined {
  const values = new Set<number>();
  const number = (text: string): number | undefined => {
    const named = names.indexOf(text.toUpperCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(text) ? Number(text) : Number.NaN;
    return n >= min && n <= max ? n : undefined;
  };
  for (const part of field.split(",")) {
    const m = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const from = m[1] === "*" ? min : number(m[1]);
    const to = m[2] !== undefined ? number(m[2]) : m[1] === "*" || m[3] !== undefined ? max : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from === undefined || to === undefined || step < 1 || (m[1] === "*" && m[2] !== undefined)) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values.size ? values : undefined;
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekday = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** Day-of-month: a value set, `L` (last day) or `nW` (the weekday nearest the nth, within the month). */
function dayOfMonthRule(field: string): DayRule | undefined {
  if (field === "L") return (y, m, d) => d === daysInMonth(y, m);
  const w = /^(\d+)W$/.exec(field);
  if (w) {
    const target = Number(w[1]);
    if (target < 1 || target > 31) return undefined;
    return (y, m, d) => d === nearestWeekday(y, m, Math.min(target, daysInMonth(y, m)));
  }
  const set = valueSet(field, 1, 31);
  return set && ((_y, _m, d) => set.has(d));
}

function nearestWeekday(year: number, month: number, day: number): number {
  const dow = weekday(year, month, day);
  if (dow === 6) return day === 1 ? 3 : day - 1;
  if (dow === 0) return day === daysInMonth(year, month) ? day - 2 : day + 1;
  return day;
}

/** Day-of-week, 1 = SUN … 7 = SAT: a value set, `L` (Saturday), `nL` (last n-day of the month) or `n#k` (kth n-day). */
function dayOfWeekRule(field: string): DayRule | undefined {
  const dayNumber = (text: string) => {
    const named = DAYS.indexOf(text.toUpperCase());
    const n = named >= 0 ? named + 1 : /^\d$/.test(text) ? Number(text) : 0;
    return n >= 1 && n <= 7 ? n : undefined;
  };
  const last = /^([A-Za-z0-9]+)?L$/.exec(field);
  if (last) {
    const n = last[1] === undefined ? 7 : dayNumber(last[1]);
    if (n === undefined) return undefined;
    return (y, m, d) => weekday(y, m, d) === n - 1 && d + 7 > daysInMonth(y, m);
  }
  const nth = /^([A-Za-z0-9]+)#([1-5])$/.exec(field);
  if (nth) {
    const n = dayNumber(nth[1]);
    if (n === undefined) return undefined;
    return (y, m, d) => weekday(y, m, d) === n - 1 && Math.ceil(d / 7) === Number(nth[2]);
  }
  const set = valueSet(field, 1, 7, DAYS, 1);
  return set && ((y, m, d) => set.has(weekday(y, m, d) + 1));
}

/** When the schedule fires next, strictly after `after`; rates count whole periods from `since` (the rule's creation). */
export function nextFireTime(schedule: Schedule, after: number, since: number): number | undefined {
  if (schedule.kind === "rate") {
    const periods = Math.floor((after - since) / schedule.periodMs) + 1;
    return since + Math.max(periods, 1) * schedule.periodMs;
  }
  return nextCronTime(schedule.cron, after);
}

function nextCronTime(cron: Cron, after: number): number | undefined {
  const start = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  const startMinuteOfDay = start.getUTCHours() * 60 + start.getUTCMinutes();
  for (let i = 0; i < 366 * 30; i++, day += 86_400_000) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (y > MAX_YEAR) return undefined;
    if (!cron.years.has(y) || !cron.months.has(m)) continue;
    if (!(cron.dayOfMonth ?? cron.dayOfWeek)?.(y, m, d)) continue;
    const from = i === 0 ? startMinuteOfDay : 0;
    for (const hour of [...cron.hours].sort((a, b) => a - b)) {
      for (const minute of [...cron.minutes].sort((a, b) => a - b)) {
        if (hour * 60 + minute >= from) return day + (hour * 60 + minute) * 60_000;
      }
    }
  }
  return undefined;
}
