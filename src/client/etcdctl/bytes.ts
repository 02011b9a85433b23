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

// Go's strconv.Quote, IsPrint and UTF-8 decoding live in lib (Raft's describe uses them too).
export { decodeRune, goQuote, isPrint } from '../../lib/goQuote';

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
