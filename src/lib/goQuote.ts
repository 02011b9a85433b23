// Go's strconv.Quote of a byte string (a JS string whose code units are bytes, 0..255): what
// etcd prints with %q for a []byte (Raft's entry payloads, etcdctl's fields output). Printable
// runes are kept, `"` and `\` escaped, control characters written \n-style or \xHH, other
// unprintable runes \uHHHH or \UHHHHHHHH, and bytes that are not valid UTF-8 \xHH. "Printable"
// is Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
//
// Pure. Payloads are mostly printable ASCII (JSON requests): those take a regex fast path that
// builds one flat string (the simulation describes every entry it shows).

/** Printable ASCII other than the double quote and the backslash: what %q copies unchanged. */
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** Printable ASCII: %q copies it, escaping only the double quote and the backslash. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const QUOTE_OR_BACKSLASH = /[\x22\x5c]/g;
const PRINTABLE_RUNE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's unicode.IsPrint. */
export function isPrint(rune: number): boolean {
  return PRINTABLE_RUNE.test(String.fromCodePoint(rune));
}

/**
 * Decodes one UTF-8 sequence at `i`: the code point and its length, or `rune: -1` (Go's RuneError
 * with width 1) for an invalid, overlong, surrogate or truncated sequence.
 */
export function decodeRune(bytes: string, i: number): { rune: number; size: number } {
  const b0 = bytes.charCodeAt(i);
  if (b0 < 0x80) return { rune: b0, size: 1 };
  const cont = (k: number): number => {
    if (i + k >= bytes.length) return -1;
    const b = bytes.charCodeAt(i + k);
    return (b & 0xc0) === 0x80 ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    if (c1 >= 0) return { rune: ((b0 & 0x1f) << 6) | c1, size: 2 };
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 >= 0 && c2 >= 0) {
      const r = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
      if (r >= 0x800 && !(r >= 0xd800 && r <= 0xdfff)) return { rune: r, size: 3 };
    }
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
      const r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      if (r >= 0x10000 && r <= 0x10ffff) return { rune: r, size: 4 };
    }
  }
  return { rune: -1, size: 1 };
}

/** Go's strconv.Quote of a byte string. */
export function goQuote(bytes: string): string {
  if (PLAIN_ASCII.test(bytes)) return '"' + bytes + '"';
  if (PRINTABLE_ASCII.test(bytes)) return '"' + bytes.replace(QUOTE_OR_BACKSLASH, '\\$&') + '"';
  const parts: string[] = ['"'];
  let run = 0; // start of the current run of characters copied unchanged
  let i = 0;
  while (i < bytes.length) {
    const b = bytes.charCodeAt(i);
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) {
      i++;
      continue;
    }
    if (i > run) parts.push(bytes.slice(run, i));
    const { rune, size } = decodeRune(bytes, i);
    parts.push(rune < 0 ? '\\x' + hex2(b & 0xff) : quoteRune(rune));
    i += size;
    run = i;
  }
  if (bytes.length > run) parts.push(bytes.slice(run));
  parts.push('"');
  return parts.join('');
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function quoteRune(r: number): string {
  switch (r) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  if (isPrint(r)) return String.fromCodePoint(r);
  if (r < 0x20 || r === 0x7f) return '\\x' + hex2(r);
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0');
  return '\\U' + r.toString(16).padStart(8, '0');
}
