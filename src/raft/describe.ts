// etcd's text format for Raft values (raft/util.go Describe*): the one formatter used by the
// conformance transcripts, the UI's event feed and failure reports.
//
// Pure. Output matches etcd byte for byte: IDs in hex, byte payloads Go-quoted (%q), uint64
// slices as Go prints them ("[1 2 3]", empty as "[]").

import { confChangesToString, entryConfChange } from './codec';
import type {
  Bytes,
  ConfChangeV2,
  ConfState,
  Entry,
  HardState,
  Message,
  Ready,
  Snapshot,
  SoftState,
} from './types';
import { LocalAppendThread, LocalApplyThread, None, isEmptyHardState, isEmptySnap } from './types';

/** Formats entry payloads; the default is Go's %q. */
export type EntryFormatter = (data: Bytes) => string;

/** Printable ASCII other than the double quote and the backslash: what %q copies unchanged. */
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;
/** Printable ASCII: %q copies it, escaping only the double quote and the backslash. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const QUOTE_OR_BACKSLASH = /[\x22\x5c]/g;

/**
 * Go's strconv.Quote applied to bytes (what `%q` prints for a []byte). Payloads are mostly
 * printable ASCII (JSON requests): those take a regex fast path that builds one flat string
 * instead of concatenating character by character (this runs for every entry of every message
 * the simulation sends).
 */
export function goQuote(data: Bytes): string {
  if (PLAIN_ASCII.test(data)) return '"' + data + '"';
  if (PRINTABLE_ASCII.test(data)) return '"' + data.replace(QUOTE_OR_BACKSLASH, '\\$&') + '"';
  const parts: string[] = ['"'];
  let run = 0; // start of the current run of characters copied unchanged
  let i = 0;
  while (i < data.length) {
    const b = data.charCodeAt(i);
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) {
      i++;
      continue;
    }
    if (i > run) parts.push(data.slice(run, i));
    if (b < 0x80) {
      parts.push(quoteAscii(b));
      i++;
    } else {
      const decoded = decodeUtf8Rune(data, i);
      if (decoded === undefined) {
        parts.push('\\x' + hex2(b));
        i++;
      } else {
        const [rune, width] = decoded;
        parts.push(isPrintRune(rune) ? String.fromCodePoint(rune) : escapeRune(rune));
        i += width;
      }
    }
    run = i;
  }
  if (data.length > run) parts.push(data.slice(run));
  parts.push('"');
  return parts.join('');
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function quoteAscii(b: number): string {
  switch (b) {
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
    case 0x5c:
      return '\\\\';
    case 0x22:
      return '\\"';
  }
  if (b < 0x20 || b === 0x7f) return '\\x' + hex2(b);
  return String.fromCharCode(b);
}

function escapeRune(r: number): string {
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0');
  return '\\U' + r.toString(16).padStart(8, '0');
}

/** Approximates Go's unicode.IsPrint for non-ASCII runes: not a control, format or separator. */
function isPrintRune(r: number): boolean {
  if (r >= 0x80 && r < 0xa0) return false; // C1 controls
  if (r === 0xad) return false; // soft hyphen (format)
  // Go's IsPrint admits only U+0020 among spaces: other Zs, and zero-width formats, are escaped.
  if (r === 0xa0 || r === 0x1680 || r === 0x202f || r === 0x205f || r === 0x3000) return false;
  if (r >= 0x2000 && r <= 0x200f) return false;
  if (r === 0x2028 || r === 0x2029) return false;
  if (r >= 0x202a && r <= 0x202e) return false;
  if (r >= 0x2060 && r <= 0x206f) return false;
  if (r === 0xfeff) return false;
  if (r >= 0xfff9 && r <= 0xfffb) return false;
  if (r >= 0xe000 && r <= 0xf8ff) return false; // private use
  return true;
}

/** Decodes one UTF-8 sequence at `i`; undefined when invalid (Go then prints \xNN per byte). */
function decodeUtf8Rune(s: Bytes, i: number): [number, number] | undefined {
  const b0 = s.charCodeAt(i);
  const cont = (k: number): number | undefined => {
    const b = s.charCodeAt(i + k);
    return i + k < s.length && (b & 0xc0) === 0x80 ? b & 0x3f : undefined;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    return c1 === undefined ? undefined : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 === undefined || c2 === undefined) return undefined;
    const r = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    if (r < 0x800 || (r >= 0xd800 && r <= 0xdfff)) return undefined;
    return [r, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 === undefined || c2 === undefined || c3 === undefined) return undefined;
    const r = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (r < 0x10000 || r > 0x10ffff) return undefined;
    return [r, 4];
  }
  return undefined;
}

/** Go's %v of a []uint64: "[1 2 3]", nil or empty as "[]". */
export function goSlice(ids: readonly number[]): string {
  return `[${ids.join(' ')}]`;
}

/** A node ID as etcd prints it in messages: hex, or the local thread names, or None. */
export function describeTarget(id: number): string {
  if (id === None) return 'None';
  if (id === LocalAppendThread) return 'AppendThread';
  if (id === LocalApplyThread) return 'ApplyThread';
  return id.toString(16);
}

export function describeHardState(hs: HardState): string {
  let s = `Term:${hs.term}`;
  if (hs.vote !== 0) s += ` Vote:${hs.vote}`;
  return s + ` Commit:${hs.commit}`;
}

export function describeSoftState(ss: SoftState): string {
  return `Lead:${ss.lead} State:${ss.raftState}`;
}

export function describeConfState(cs: ConfState): string {
  return (
    `Voters:${goSlice(cs.voters)} VotersOutgoing:${goSlice(cs.votersOutgoing)} ` +
    `Learners:${goSlice(cs.learners)} LearnersNext:${goSlice(cs.learnersNext)} AutoLeave:${cs.autoLeave}`
  );
}

export function describeSnapshot(snap: Snapshot): string {
  const m = snap.metadata;
  return `Index:${m.index} Term:${m.term} ConfState:${describeConfState(m.confState)}`;
}

/**
 * describeEntry's text with the default formatter, for the entries described most recently. The
 * simulation describes every message it sends, and one entry travels in many messages within a
 * short while (one per follower, again on every resend). Entries are not mutated once created; the
 * fields are still compared on every hit, so a changed entry is described afresh. Bounded (oldest
 * out first), so that it does not keep a description of every entry of a long log alive.
 */
const DESCRIBED_ENTRIES_MAX = 8192;
const describedEntries = new Map<Entry, { term: number; index: number; type: Entry['type']; data: Bytes; text: string }>();

/** One entry: `term/index Type payload` (payload omitted when it formats empty). */
export function describeEntry(e: Entry, f: EntryFormatter = goQuote): string {
  if (f !== goQuote) return formatEntry(e, f);
  const hit = describedEntries.get(e);
  if (hit !== undefined && hit.term === e.term && hit.index === e.index && hit.type === e.type && hit.data === e.data) return hit.text;
  const text = formatEntry(e, f);
  if (hit === undefined && describedEntries.size >= DESCRIBED_ENTRIES_MAX) {
    describedEntries.delete(describedEntries.keys().next().value!);
  }
  describedEntries.set(e, { term: e.term, index: e.index, type: e.type, data: e.data, text });
  return text;
}

function formatEntry(e: Entry, f: EntryFormatter): string {
  let formatted: string;
  if (e.type === 'EntryNormal') {
    formatted = f(e.data);
  } else {
    try {
      formatted = confChangesToString(entryConfChange(e)!.changes);
    } catch (err) {
      formatted = (err as Error).message;
    }
  }
  if (formatted !== '') formatted = ' ' + formatted;
  return `${e.term}/${e.index} ${e.type}${formatted}`;
}

export function describeEntries(ents: readonly Entry[], f: EntryFormatter = goQuote): string {
  let out = '';
  for (const e of ents) out += describeEntry(e, f) + '\n';
  return out;
}

/** One message: `FROM->TO Type Term:T Log:LT/I` plus the fields that are set. */
export function describeMessage(m: Message, f: EntryFormatter = goQuote): string {
  return describeMessageWithIndent('', m, f);
}

function describeMessageWithIndent(indent: string, m: Message, f: EntryFormatter): string {
  let s = `${indent}${describeTarget(m.from)}->${describeTarget(m.to)} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.vote !== undefined && m.vote !== 0) s += ` Vote:${m.vote}`;
  const ents = m.entries ?? [];
  if (ents.length === 1) {
    s += ` Entries:[${describeEntry(ents[0]!, f)}]`;
  } else if (ents.length > 1) {
    // Joined once (a flat string), not appended entry by entry: a batch can hold thousands.
    const lines: string[] = [' Entries:['];
    for (const e of ents) lines.push(`${indent}  ${describeEntry(e, f)}`);
    lines.push(`${indent}]`);
    s += lines.join('\n');
  }
  if (m.snapshot !== undefined && !isEmptySnap(m.snapshot)) {
    s += `\n${indent}  Snapshot: ${describeSnapshot(m.snapshot)}`;
  }
  if (m.responses !== undefined && m.responses.length > 0) {
    s += ' Responses:[';
    for (const r of m.responses) s += '\n' + describeMessageWithIndent(indent + '  ', r, f);
    s += `\n${indent}]`;
  }
  return s;
}

/** Go's %v of []ReadState: `[{index [ctx bytes]} ...]`. */
function describeReadStates(rs: Ready['readStates']): string {
  const parts = rs.map((r) => {
    const bytes: number[] = [];
    for (let i = 0; i < r.requestCtx.length; i++) bytes.push(r.requestCtx.charCodeAt(i));
    return `{${r.index} ${goSlice(bytes)}}`;
  });
  return `[${parts.join(' ')}]`;
}

/** A Ready as etcd's DescribeReady prints it, or `<empty Ready>`. */
export function describeReady(rd: Ready, f: EntryFormatter = goQuote): string {
  let s = '';
  if (rd.softState !== undefined) s += describeSoftState(rd.softState) + '\n';
  if (!isEmptyHardState(rd.hardState)) s += `HardState ${describeHardState(rd.hardState!)}\n`;
  if (rd.readStates.length > 0) s += `ReadStates ${describeReadStates(rd.readStates)}\n`;
  if (rd.entries.length > 0) s += 'Entries:\n' + describeEntries(rd.entries, f);
  if (!isEmptySnap(rd.snapshot)) s += `Snapshot ${describeSnapshot(rd.snapshot!)}\n`;
  if (rd.committedEntries.length > 0) s += 'CommittedEntries:\n' + describeEntries(rd.committedEntries, f);
  if (rd.messages.length > 0) {
    s += 'Messages:\n';
    for (const m of rd.messages) s += describeMessage(m, f) + '\n';
  }
  if (s.length > 0) return `Ready MustSync=${rd.mustSync}:\n${s}`;
  return '<empty Ready>';
}

/** etcd's DescribeConfChange: `transition:T changes:{type:X node_id:N} ...`. */
export function describeConfChange(cc: ConfChangeV2): string {
  let s = `transition:${cc.transition}`;
  for (const c of cc.changes) s += ` changes:{type:${c.type} node_id:${c.nodeId}}`;
  if (cc.context !== undefined && cc.context.length > 0) s += ` context:${goQuote(cc.context)}`;
  return s;
}
