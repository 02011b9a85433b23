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
import { goQuote } from '../lib/goQuote';

/** Formats entry payloads; the default is Go's %q. */
export type EntryFormatter = (data: Bytes) => string;

/** Go's strconv.Quote of a byte payload (what `%q` prints for a []byte): shared with etcdctl. */
export { goQuote };


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
