// Byte strings at the etcdctl boundary. The client API speaks byte strings (JS strings whose code
// units are 0..255, one per byte, see src/mvcc/types.ts); the console speaks text. etcdctl is where
// the two meet: arguments and stdin are UTF-8 encoded before they go to the client, and keys and
// values are decoded for printing. Go prints raw bytes; a terminal shows invalid UTF-8 as U+FFFD,
// which is what decoding here produces. Also: Go's strconv.Quote (the fields printer's %q), hex,
// and base64 of byte strings (the JSON printer's []byte).

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/** Text → byte string (UTF-8). */
export function utf8Encode(text: string): string {
  const bytes = encoder.encode(text);
  let out = '';
  const CHUNK = 0x2000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return out;
}

/** Byte string → Uint8Array. */
export function toBytes(bytes: string): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i) & 0xff;
  return out;
}

/** Byte string → text (UTF-8; invalid sequences become U+FFFD, as a terminal shows them). */
export function utf8Decode(bytes: string): string {
  // Fast path: pure ASCII needs no decoding.
  if (/^[\x00-\x7f]*$/.test(bytes)) return bytes;
  return decoder.decode(toBytes(bytes));
}

/** Base64 of a byte string, as Go's encoding/json writes a []byte. */
export function base64(bytes: string): string {
  return btoa(bytes);
}

/** Lowercase hex of a byte string (Go's hex.EncodeToString). */
export function hexEncode(bytes: string): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes.charCodeAt(i) & 0xff).toString(16).padStart(2, '0');
  return out;
}

/**
 * Decodes one UTF-8 sequence at `i`: the code point and its length, or `rune: -1` (Go's RuneError
 * with width 1) for an invalid or truncated sequence.
 */
export function decodeRune(bytes: string, i: number): { rune: number; size: number } {
  const b0 = bytes.charCodeAt(i);
  if (b0 < 0x80) return { rune: b0, size: 1 };
  const cont = (k: number): number => {
    const b = bytes.charCodeAt(i + k);
    return i + k < bytes.length && (b & 0xc0) === 0x80 ? b & 0x3f : -1;
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

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's unicode.IsPrint (letters, marks, numbers, punctuation, symbols and the ASCII space). */
export function isPrint(rune: number): boolean {
  return PRINTABLE.test(String.fromCodePoint(rune));
}

/**
 * Go's strconv.Quote of a byte string, as printed text: printable runes stay, quotes and
 * backslashes are escaped, control characters use \n-style or \xHH escapes, other unprintable
 * runes \uHHHH, and bytes that are not valid UTF-8 \xHH.
 */
export function goQuote(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; ) {
    const { rune, size } = decodeRune(bytes, i);
    if (rune < 0) {
      out += '\\x' + (bytes.charCodeAt(i) & 0xff).toString(16).padStart(2, '0');
    } else {
      out += quoteRune(rune);
    }
    i += size;
  }
  return out + '"';
}

function quoteRune(r: number): string {
  if (r === 0x22) return '\\"';
  if (r === 0x5c) return '\\\\';
  if (isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
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
  if (r < 0x20 || r === 0x7f) return '\\x' + r.toString(16).padStart(2, '0');
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0');
  return '\\U' + r.toString(16).padStart(8, '0');
}

/**
 * Go's strconv.Unquote for a double-quoted or back-quoted literal over bytes: the decoded byte
 * string, or null for invalid syntax. `\x` and octal escapes give raw bytes, `\u`/`\U` UTF-8.
 */
export function goUnquote(literal: string): string | null {
  if (literal.length < 2) return null;
  const q = literal[0];
  if (q !== literal[literal.length - 1]) return null;
  const body = literal.slice(1, -1);
  if (q === '`') return body.includes('`') ? null : body.replace(/\r/g, '');
  if (q !== '"') return null;
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return null;
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (e in simple) {
      out += simple[e];
      i += 2;
      continue;
    }
    if (e === 'x') {
      const h = body.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
      out += String.fromCharCode(parseInt(h, 16));
      i += 4;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const o = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o) || parseInt(o, 8) > 255) return null;
      out += String.fromCharCode(parseInt(o, 8));
      i += 4;
      continue;
    }
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = body.slice(i + 2, i + 2 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) return null;
      const r = parseInt(h, 16);
      if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return null;
      out += utf8Encode(String.fromCodePoint(r));
      i += 2 + n;
      continue;
    }
    return null;
  }
  return out;
}
