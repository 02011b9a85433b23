// Go's number, duration and size texts as etcdctl prints and parses them: strconv.ParseInt /
// ParseUint / ParseBool with their exact error texts, time.ParseDuration and Duration.String,
// go-humanize's Bytes, and IDs (int64/uint64 values that may exceed 2^53 but are exact doubles)
// in decimal and hex. Pure functions.

/** A Go error: `message` is err.Error(). */
export class GoError extends Error {
  override name = 'GoError';
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** The exact decimal of an integer-valued number (IDs above 2^53 are exact doubles). */
export function dec(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

/** Go's %x of an integer (no padding); negative as "-" + hex, as Go prints an int64. */
export function hex(n: number): string {
  const b = BigInt(n);
  return b < 0n ? '-' + (-b).toString(16) : b.toString(16);
}

/** Go's %16x: hex right-aligned in 16 columns with spaces. */
export function hex16Spaces(n: number): string {
  return hex(n).padStart(16, ' ');
}

function syntaxError(fn: string, s: string): GoError {
  return new GoError(`strconv.${fn}: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function rangeError(fn: string, s: string): GoError {
  return new GoError(`strconv.${fn}: parsing ${JSON.stringify(s)}: value out of range`);
}

/** Digits of `s` in `base` (2..36) as a BigInt, or null; `_` allowed only when `underscores`. */
function parseDigits(s: string, base: number, underscores: boolean): bigint | null {
  if (s.length === 0) return null;
  let v = 0n;
  let sawDigit = false;
  let lastUnderscore = false;
  for (const ch of s.toLowerCase()) {
    if (ch === '_' && underscores) {
      if (lastUnderscore) return null;
      lastUnderscore = true;
      continue;
    }
    lastUnderscore = false;
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return null;
    v = v * BigInt(base) + BigInt(d);
    sawDigit = true;
  }
  if (!sawDigit || lastUnderscore) return null;
  return v;
}

/** The magnitude of an unsigned literal as strconv.ParseUint reads it (base 0: prefixes). */
function parseUnsigned(s: string, base: number): bigint | null {
  if (base !== 0) return parseDigits(s, base, false);
  const lower = s.toLowerCase();
  if (lower.startsWith('0x')) return parseDigits(s.slice(2), 16, true);
  if (lower.startsWith('0b')) return parseDigits(s.slice(2), 2, true);
  if (lower.startsWith('0o')) return parseDigits(s.slice(2), 8, true);
  if (s.length > 1 && s[0] === '0') return parseDigits(s.slice(1), 8, true);
  if (s.startsWith('_')) return null;
  return parseDigits(s, 10, true);
}

/** strconv.ParseInt(s, base, 64) as a bigint; throws GoError with Go's text. */
export function parseInt64(s: string, base: number): bigint {
  let body = s;
  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body[0] === '-';
    body = body.slice(1);
  }
  const magnitude = parseUnsigned(body, base);
  if (magnitude === null) throw syntaxError('ParseInt', s);
  const v = negative ? -magnitude : magnitude;
  if (v < INT64_MIN || v > INT64_MAX) throw rangeError('ParseInt', s);
  return v;
}

/** strconv.ParseUint(s, base, 64) as a bigint; throws GoError with Go's text. */
export function parseUint64(s: string, base: number): bigint {
  const v = parseUnsigned(s, base);
  if (v === null) throw syntaxError('ParseUint', s);
  if (v > UINT64_MAX) throw rangeError('ParseUint', s);
  return v;
}

/** strconv.ParseBool. */
export function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw syntaxError('ParseBool', s);
}

const UNIT_NS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** time.ParseDuration, in milliseconds (fractional for sub-ms units); throws GoError. */
export function parseDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new GoError(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest.length > 0) {
    const num = /^([0-9]*)(\.([0-9]*))?/.exec(rest)!;
    const intPart = num[1]!;
    const fracPart = num[3] ?? '';
    if (intPart === '' && fracPart === '') throw new GoError(`time: invalid duration ${quoted}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    if (unit === '') throw new GoError(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_NS[unit];
    if (scale === undefined) throw new GoError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    rest = rest.slice(unit.length);
    total += Number(`${intPart || '0'}.${fracPart || '0'}`) * scale;
  }
  return negative ? -total : total;
}

function fmtFrac(v: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const whole = v / scale;
  let frac = (v % scale).toString().padStart(prec, '0').replace(/0+$/, '');
  if (frac !== '') frac = '.' + frac;
  return whole.toString() + frac;
}

/** Go's time.Duration.String() of a duration in (possibly fractional) milliseconds. */
export function formatDuration(ms: number): string {
  let ns = BigInt(Math.round(ms * 1e6));
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const sign = negative ? '-' : '';
  if (ns === 0n) return '0s';
  if (ns < 1_000_000_000n) {
    if (ns < 1000n) return `${sign}${ns}ns`;
    if (ns < 1_000_000n) return `${sign}${fmtFrac(ns, 3)}µs`;
    return `${sign}${fmtFrac(ns, 6)}ms`;
  }
  const hours = ns / 3_600_000_000_000n;
  const rem = ns % 3_600_000_000_000n;
  const minutes = rem / 60_000_000_000n;
  const secNs = rem % 60_000_000_000n;
  let out = `${fmtFrac(secNs, 9)}s`;
  if (hours > 0n || minutes > 0n) out = `${minutes}m` + out;
  if (hours > 0n) out = `${hours}h` + out;
  return sign + out;
}

/** Go's %.0f: round half to even on the (exact) binary value. */
function formatFixed0(v: number): string {
  const floor = Math.floor(v);
  const diff = v - floor;
  let r: number;
  if (diff > 0.5) r = floor + 1;
  else if (diff < 0.5) r = floor;
  else r = floor % 2 === 0 ? floor : floor + 1;
  return String(r);
}

const SI_SIZES = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** go-humanize's Bytes (SI units): "20 kB", "1.3 MB", "7 B". */
export function humanizeBytes(size: number): string {
  if (size < 10) return `${size} B`;
  const e = Math.floor(Math.log(size) / Math.log(1000));
  const suffix = SI_SIZES[e] ?? '?';
  const val = Math.floor((size / Math.pow(1000, e)) * 10 + 0.5) / 10;
  return val < 10 ? `${val.toFixed(1)} ${suffix}` : `${formatFixed0(val)} ${suffix}`;
}

/** Go's %v of a []string: "[a b c]". */
export function goStringSlice(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}
