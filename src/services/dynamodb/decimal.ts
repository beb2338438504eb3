import { ValidationException } from "./errors.js";

/**
 * DynamoDB numbers: up to 38 significant digits, magnitudes 1E-130 … 9.99…E+125, exact decimal
 * arithmetic. A number is `mantissa × 10^scale` with an integer BigInt mantissa (no floating point).
 */
export interface Decimal {
  mantissa: bigint;
  scale: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_DIGITS = 38;

/** Parses and validates a number as DynamoDB does on input. */
export function parseNumber(text: string): Decimal {
  const match = NUMBER.exec(text);
  if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
    throw new ValidationException(`The parameter cannot be converted to a numeric value: ${text}`);
  }
  const [, sign, whole, fraction = "", exponent = "0"] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, "");
  const value = normalize({ mantissa: BigInt((sign === "-" ? "-" : "") + (digits || "0")), scale: Number(exponent) - fraction.length });
  return checkRange(value);
}

/** Strips trailing zeros so that equal numbers have one representation. */
function normalize(d: Decimal): Decimal {
  if (d.mantissa === 0n) return { mantissa: 0n, scale: 0 };
  let { mantissa, scale } = d;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    scale++;
  }
  return { mantissa, scale };
}

function digitCount(d: Decimal): number {
  return d.mantissa === 0n ? 0 : (d.mantissa < 0n ? -d.mantissa : d.mantissa).toString().length;
}

/** Throws AWS's errors for numbers DynamoDB cannot store. */
export function checkRange(d: Decimal): Decimal {
  const digits = digitCount(d);
  if (digits === 0) return d;
  if (digits > MAX_DIGITS) throw new ValidationException("Attempting to store more than 38 significant digits in a Number");
  const exponent = d.scale + digits - 1; // scientific exponent
  if (exponent > 125)
    throw new ValidationException("Number overflow. Attempting to store a number with magnitude larger than supported range");
  if (exponent < -130)
    throw new ValidationException("Number underflow. Attempting to store a number with magnitude smaller than supported range");
  return d;
}

export function formatNumber(d: Decimal): string {
  const negative = d.mantissa < 0n;
  const digits = (negative ? -d.mantissa : d.mantissa).toString();
  let text: string;
  if (d.scale >= 0) text = d.mantissa === 0n ? "0" : digits + "0".repeat(d.scale);
  else {
    const padded = digits.padStart(-d.scale + 1, "0");
    text = `${padded.slice(0, d.scale)}.${padded.slice(d.scale)}`;
  }
  return negative ? `-${text}` : text;
}

/** The canonical text DynamoDB stores and returns ("1.50" → "1.5", "1e2" → "100"). */
export const canonicalNumber = (text: string) => formatNumber(parseNumber(text));

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.min(a.scale, b.scale);
  return [a.mantissa * 10n ** BigInt(a.scale - scale), b.mantissa * 10n ** BigInt(b.scale - scale), scale];
}

export function addNumbers(a: string, b: string): string {
  const [x, y, scale] = align(parseNumber(a), parseNumber(b));
  return formatNumber(checkRange(normalize({ mantissa: x + y, scale })));
}

export function subtractNumbers(a: string, b: string): string {
  const [x, y, scale] = align(parseNumber(a), parseNumber(b));
  return formatNumber(checkRange(normalize({ mantissa: x - y, scale })));
}

export function compareNumbers(a: string, b: string): number {
  const [x, y] = align(parseNumber(a), parseNumber(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Significant digits, for AWS's item-size rule (1 byte per two digits, plus one). */
export const significantDigits = (text: string) => digitCount(parseNumber(text));

/**
 * An order-preserving text key: code-point order of the results equals numeric order.
 * Class digit (0 negative, 1 zero, 2 positive), a fixed-width biased exponent, then the digits;
 * negatives complement both and end with "~" so that longer mantissas sort first.
 */
export function numberSortKey(text: string): string {
  const d = parseNumber(text);
  if (d.mantissa === 0n) return "1";
  const negative = d.mantissa < 0n;
  const digits = (negative ? -d.mantissa : d.mantissa).toString();
  const exponent = d.scale + digits.length - 1 + 200; // 70…325
  if (!negative) return `2${String(exponent).padStart(3, "0")}${digits}`;
  const complement = [...digits].map((c) => String(9 - Number(c))).join("");
  return `0${999 - exponent}${complement}~`;
}
