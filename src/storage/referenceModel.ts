// Tests only: a naive model of a Backend and a seeded generator of write batches, for the property
// tests that drive both backends and this model with the same batches and compare what load()
// returns. Never used by production code.
//
// The model is deliberately written differently from plan.ts: it applies a batch to a deep copy of
// the whole state with array filters, then checks the resulting state as a whole (contiguous log
// from right after the snapshot, terms never going down, commit inside the log), where plan.ts
// checks each step incrementally against a summary. Agreement between the two is the evidence.

import { AssertionError } from '../lib/assert';
import type { Prng } from '../lib/prng';
import type { Entry, HardState, Snapshot } from '../raft/index';
import { revToBytes, type BackendRecord, type StoreMeta } from '../mvcc/index';
import type { LeaseRecord } from '../lease/index';
import type { PersistedState, ServerMeta, StoredMember, WriteBatch } from './backend';

interface ModelState {
  written: boolean;
  hardState: HardState;
  snapshot: Snapshot | undefined;
  entries: Entry[];
  kv: Map<string, BackendRecord>;
  kvMeta: StoreMeta | undefined;
  leases: Map<number, LeaseRecord>;
  members: Map<number, StoredMember>;
  removed: Set<number>;
  serverMeta: ServerMeta;
}

function emptyState(): ModelState {
  return {
    written: false,
    hardState: { term: 0, vote: 0, commit: 0 },
    snapshot: undefined,
    entries: [],
    kv: new Map(),
    kvMeta: undefined,
    leases: new Map(),
    members: new Map(),
    removed: new Set(),
    serverMeta: {},
  };
}

function reject(problem: string): never {
  throw new AssertionError(`model rejected: ${problem}`);
}

/** A Backend reduced to its meaning: whole-state values, copied on every write. */
export class ReferenceModel {
  private state = emptyState();

  get snapshotIndex(): number {
    return this.state.snapshot?.metadata.index ?? 0;
  }

  get lastIndex(): number {
    const entries = this.state.entries;
    return entries.length > 0 ? entries[entries.length - 1]!.index : this.snapshotIndex;
  }

  get commit(): number {
    return this.state.hardState.commit;
  }

  get removedMembers(): ReadonlySet<number> {
    return this.state.removed;
  }

  get memberIds(): number[] {
    return [...this.state.members.keys()];
  }

  get kvKeys(): string[] {
    return [...this.state.kv.keys()];
  }

  get leaseIds(): number[] {
    return [...this.state.leases.keys()];
  }

  termAt(index: number): number | undefined {
    if (index === 0 && this.state.snapshot === undefined) return 0;
    if (this.state.snapshot !== undefined && index === this.snapshotIndex) return this.state.snapshot.metadata.term;
    return this.state.entries.find((entry) => entry.index === index)?.term;
  }

  /** The last index the batch would leave, or undefined if the model rejects it. */
  previewLastIndex(batch: WriteBatch): number | undefined {
    const saved = this.state;
    try {
      this.write(batch);
      return this.lastIndex;
    } catch {
      return undefined;
    } finally {
      this.state = saved;
    }
  }

  /** Applies the batch, or throws AssertionError and keeps the state unchanged. */
  write(batch: WriteBatch): void {
    const next = structuredClone(this.state);
    applyLog(next, batch);
    applyRest(next, batch);
    checkWhole(next);
    if (hasContent(batch)) next.written = true;
    this.state = next;
  }

  load(): PersistedState | undefined {
    const state = this.state;
    if (!state.written) return undefined;
    const byKey = <K extends number | string, V>(map: Map<K, V>): V[] =>
      [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
    return structuredClone({
      hardState: state.hardState,
      snapshot: state.snapshot,
      entries: state.entries,
      kv: { records: byKey(state.kv), meta: state.kvMeta },
      leases: byKey(state.leases),
      members: byKey(state.members),
      removedMembers: [...state.removed].sort((a, b) => a - b),
      serverMeta: state.serverMeta,
    });
  }
}

function hasContent(batch: WriteBatch): boolean {
  return (
    batch.hardState !== undefined ||
    batch.snapshot !== undefined ||
    batch.kv !== undefined ||
    (batch.entries ?? []).length > 0 ||
    (batch.leases !== undefined &&
      (batch.leases.reset || batch.leases.put.length + batch.leases.deleted.length > 0)) ||
    (batch.members !== undefined &&
      (batch.members.reset || batch.members.put.length + batch.members.removed.length > 0)) ||
    Object.keys(batch.serverMeta ?? {}).length > 0
  );
}

function termIn(state: ModelState, index: number): number | undefined {
  if (index === 0 && state.snapshot === undefined) return 0;
  if (state.snapshot !== undefined && index === state.snapshot.metadata.index) return state.snapshot.metadata.term;
  return state.entries.find((entry) => entry.index === index)?.term;
}

function applyLog(state: ModelState, batch: WriteBatch): void {
  if (batch.snapshot !== undefined) {
    const { index, term } = batch.snapshot.metadata;
    if (state.snapshot !== undefined && index < state.snapshot.metadata.index) reject('older snapshot');
    const agrees = termIn(state, index) === term;
    state.entries = agrees ? state.entries.filter((entry) => entry.index > index) : [];
    state.snapshot = structuredClone(batch.snapshot);
  }
  const entries = batch.entries ?? [];
  if (entries.length > 0) {
    for (let k = 1; k < entries.length; k++) {
      if (entries[k]!.index !== entries[k - 1]!.index + 1) reject('batch entries not contiguous');
    }
    const start = entries[0]!.index;
    state.entries = state.entries.filter((entry) => entry.index < start).concat(structuredClone(entries));
  }
  if (batch.compactTo !== undefined) {
    if (batch.compactTo > (state.snapshot?.metadata.index ?? 0)) reject('compactTo beyond the snapshot');
    state.entries = state.entries.filter((entry) => entry.index > batch.compactTo!);
  }
  if (batch.hardState !== undefined) state.hardState = structuredClone(batch.hardState);
}

function applyRest(state: ModelState, batch: WriteBatch): void {
  const { kv, leases, members, serverMeta } = batch;
  if (kv !== undefined) {
    if (kv.reset) state.kv.clear();
    for (const record of kv.put) state.kv.set(record.revKey, structuredClone(record));
    for (const revKey of kv.deleted) state.kv.delete(revKey);
    state.kvMeta = structuredClone(kv.meta);
  }
  if (leases !== undefined) {
    if (leases.reset) state.leases.clear();
    for (const lease of leases.put) {
      if (lease.id === 0) reject('lease id 0');
      state.leases.set(lease.id, structuredClone(lease));
    }
    for (const id of leases.deleted) state.leases.delete(id);
  }
  if (members !== undefined) {
    if (members.reset) {
      state.members.clear();
      state.removed.clear();
    }
    for (const member of members.put) {
      if (state.removed.has(member.id)) reject('removed member added back');
      state.members.set(member.id, structuredClone(member));
    }
    for (const id of members.removed) {
      state.members.delete(id);
      state.removed.add(id);
    }
  }
  if (serverMeta !== undefined) Object.assign(state.serverMeta, serverMeta);
}

/** The whole-state rules load() enforces. */
function checkWhole(state: ModelState): void {
  let expected = (state.snapshot?.metadata.index ?? 0) + 1;
  let term = state.snapshot?.metadata.term ?? 0;
  for (const entry of state.entries) {
    if (entry.index !== expected) reject(`log not contiguous at ${entry.index}`);
    if (entry.term < term) reject(`term goes down at ${entry.index}`);
    expected = entry.index + 1;
    term = entry.term;
  }
  if (state.hardState.commit > expected - 1) reject('commit beyond the last index');
}

// --- The generator. ---

const LEASE_ID_BASE = 0x74dda1ff59a3b800n;
const CONF_STATE = { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
const META_NAMES = ['clusterId', 'memberId', 'name', 'clusterVersion'];

/** Seeded batches, mostly valid for the model's current state, about one in twelve not. */
export class BatchGenerator {
  private nextMain = 2;

  constructor(
    private readonly prng: Prng,
    private readonly model: ReferenceModel,
  ) {}

  next(): WriteBatch {
    const batch = this.validBatch();
    if (this.prng.chance(1, 12)) this.spoil(batch);
    return batch;
  }

  private validBatch(): WriteBatch {
    const prng = this.prng;
    const batch: WriteBatch = {};
    if (prng.chance(1, 10)) batch.snapshot = this.snapshot();
    if (prng.chance(2, 3)) batch.entries = this.entries(batch.snapshot);
    if (prng.chance(1, 10)) {
      batch.compactTo = prng.rangeInclusive(0, batch.snapshot?.metadata.index ?? this.model.snapshotIndex);
    }
    const last = this.model.previewLastIndex(batch);
    if (last !== undefined && (prng.chance(1, 2) || last < this.model.commit)) {
      const commit = prng.rangeInclusive(Math.min(this.model.commit, last), last);
      batch.hardState = { term: 9, vote: prng.int(4), commit };
    }
    if (prng.chance(1, 3)) batch.kv = this.kv();
    if (prng.chance(1, 4)) batch.leases = this.leases();
    if (prng.chance(1, 5)) batch.members = this.members();
    if (prng.chance(1, 6)) batch.serverMeta = this.serverMeta();
    return batch;
  }

  private snapshot(): Snapshot {
    const model = this.model;
    const index = this.prng.rangeInclusive(Math.max(1, model.snapshotIndex), model.lastIndex + 2);
    const known = model.termAt(index);
    const newer = (known ?? model.termAt(model.lastIndex) ?? 0) + 1;
    const term = known !== undefined && this.prng.chance(2, 3) ? known : newer;
    return { data: `snapshot ${index}/${term}`, metadata: { index, term, confState: structuredClone(CONF_STATE) } };
  }

  private entries(snapshot: Snapshot | undefined): Entry[] {
    const model = this.model;
    let start: number;
    let termBefore: number;
    if (snapshot !== undefined && model.termAt(snapshot.metadata.index) !== snapshot.metadata.term) {
      start = snapshot.metadata.index + 1;
      termBefore = snapshot.metadata.term;
    } else {
      const first = Math.max(model.snapshotIndex, snapshot?.metadata.index ?? 0) + 1;
      // Mostly like Raft (never truncating committed entries); sometimes below the commit index,
      // which both the model and the backends must refuse unless the batch lowers the commit.
      const floor = this.prng.chance(3, 4) ? Math.max(first, model.commit + 1) : first;
      start = this.prng.rangeInclusive(Math.max(floor, model.lastIndex - 3), model.lastIndex + 1);
      termBefore = start - 1 === snapshot?.metadata.index ? snapshot.metadata.term : (model.termAt(start - 1) ?? 0);
    }
    const entries: Entry[] = [];
    let term = termBefore + this.prng.int(2);
    const count = this.prng.rangeInclusive(1, 5);
    for (let k = 0; k < count; k++) {
      if (this.prng.chance(1, 8)) term++;
      entries.push({ index: start + k, term: Math.max(term, 1), type: 'EntryNormal', data: `\u0000put k${k} \u00ff` });
    }
    return entries;
  }

  private kv(): WriteBatch['kv'] {
    const prng = this.prng;
    const reset = prng.chance(1, 8);
    const put: BackendRecord[] = [];
    const main = this.nextMain++;
    const count = prng.rangeInclusive(0, 3);
    for (let sub = 0; sub < count; sub++) {
      const key = `key${prng.int(5)}`;
      if (prng.chance(1, 4)) {
        const kv = { key, createRevision: 0, modRevision: 0, version: 0, value: '', lease: 0 };
        put.push({ revKey: revToBytes({ main, sub }, true), kv });
      } else {
        const kv = { key, createRevision: main, modRevision: main, version: 1, value: `v${main}`, lease: 0 };
        put.push({ revKey: revToBytes({ main, sub }), kv });
      }
    }
    const keys = this.model.kvKeys;
    const deleted = keys.length > 0 && prng.chance(1, 3) ? [prng.pick(keys)] : [];
    const meta = { scheduledCompactRevision: -1, finishedCompactRevision: -1, consistentIndex: prng.int(100) };
    return { reset, put, deleted, meta, currentRevision: main };
  }

  private leaseId(): number {
    return Number(LEASE_ID_BASE + BigInt(this.prng.int(6)) * 1024n);
  }

  private leases(): WriteBatch['leases'] {
    const prng = this.prng;
    const put = Array.from({ length: prng.int(3) }, () => ({
      id: this.leaseId(),
      ttl: prng.rangeInclusive(5, 60),
      remainingTtl: prng.int(5),
    }));
    const ids = this.model.leaseIds;
    const deleted = ids.length > 0 && prng.chance(1, 2) ? [prng.pick(ids)] : [];
    return { reset: prng.chance(1, 10), put, deleted };
  }

  private members(): WriteBatch['members'] {
    const prng = this.prng;
    const reset = prng.chance(1, 10);
    const put: StoredMember[] = [];
    const id = prng.rangeInclusive(1, 8);
    if (reset || !this.model.removedMembers.has(id)) {
      const peerUrls = [`http://10.0.0.${id}:2380`];
      put.push({ id, name: `m${id}`, peerUrls, clientUrls: [], isLearner: prng.chance(1, 4) });
    }
    const present = this.model.memberIds;
    const removed = !reset && present.length > 0 && prng.chance(1, 3) ? [prng.pick(present)] : [];
    return { reset, put, removed };
  }

  private serverMeta(): ServerMeta {
    const name = this.prng.pick(META_NAMES);
    const value = this.prng.pick<string | number | boolean>([`v${this.prng.int(9)}`, this.prng.int(9), true, '節點']);
    return { [name]: value };
  }

  /** Makes a valid batch invalid in one of the ways both the model and the backends must refuse. */
  private spoil(batch: WriteBatch): void {
    const model = this.model;
    const last = model.lastIndex;
    const lastTerm = model.termAt(last) ?? 0;
    const entry = (index: number, term: number): Entry => ({ index, term, type: 'EntryNormal', data: 'x' });
    switch (this.prng.int(6)) {
      case 0:
        batch.snapshot = undefined;
        batch.entries = [entry(last + 2, lastTerm + 1)];
        break;
      case 1:
        batch.snapshot = undefined;
        batch.compactTo = model.snapshotIndex + 1;
        break;
      case 2:
        const lastAfter = model.previewLastIndex({ ...batch, hardState: undefined }) ?? last;
        batch.hardState = { term: 9, vote: 0, commit: lastAfter + 1 };
        break;
      case 3:
        batch.leases = { reset: false, put: [{ id: 0, ttl: 5, remainingTtl: 0 }], deleted: [] };
        break;
      case 4:
        if (lastTerm > 1 && last > model.snapshotIndex) {
          batch.snapshot = undefined;
          batch.entries = [entry(last + 1, lastTerm - 1)];
        } else {
          batch.entries = [entry(last + 3, lastTerm)];
          batch.snapshot = undefined;
        }
        break;
      default: {
        const removed = [...model.removedMembers];
        if (removed.length > 0) {
          const back = { id: removed[0]!, name: 'back', peerUrls: [], clientUrls: [], isLearner: false };
          batch.members = { reset: false, put: [back], removed: [] };
        } else {
          batch.compactTo = model.snapshotIndex + 2;
          batch.snapshot = undefined;
        }
      }
    }
  }
}
