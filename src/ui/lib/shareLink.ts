// Share links: a whole run (seed, config and every recorded action) in the URL, as `?run=`. The
// recording's JSON is deflated (CompressionStream) and base64url-encoded behind a version tag, so
// a link of a long session stays short enough to paste. Decoding checks the shape and says what
// is wrong with a damaged link.

import type { Recording } from '../../playground/index';

const TAG = 'r1.';

function toBase64Url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const body = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** The `run` parameter for a recording. */
export async function encodeRun(rec: Recording): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(rec));
  return TAG + toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
}

/** The recording in a `run` parameter, or an error that says what is wrong with it. */
export async function decodeRun(param: string): Promise<Recording> {
  if (!param.startsWith(TAG)) throw new Error('this share link is not one this playground made (unknown version)');
  let rec: unknown;
  try {
    const bytes = await pipe(fromBase64Url(param.slice(TAG.length)), new DecompressionStream('deflate-raw'));
    rec = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('this share link is damaged (it may have been cut short when copied)');
  }
  const r = rec as Partial<Recording>;
  if (r === null || typeof r !== 'object' || r.version !== 1 || typeof r.seed !== 'number' || typeof r.config !== 'object' || !Array.isArray(r.actions)) {
    throw new Error('this share link does not hold a recorded run');
  }
  return r as Recording;
}
