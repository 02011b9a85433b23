// A linearizability checker for key-value histories (Wing & Gong's search with Lowe's caching, as
// in Porcupine): the history is split per key (a register per key is independent), and for each
// key the checker looks for an order of the operations, consistent with their real-time order,
// in which every read returns the latest write. Operations that failed with a timeout are
// indeterminate: they may have taken effect at any point after they were invoked, or never.
//
// Pure. Bounded: past `maxSteps` search steps for a key the verdict is 'unknown' for that key.

export interface KvOp {
  /** Unique within the history. */
  id: number;
  kind: 'put' | 'get' | 'delete';
  key: string;
  /** put: the value written. get: the value read (undefined = the key did not exist). */
  value: string | undefined;
  invokedAt: number;
  /** Infinity for an indeterminate operation (it failed, maybe after taking effect). */
  returnedAt: number;
  /** A failed write whose effect is unknown. Failed reads are dropped before checking. */
  indeterminate: boolean;
}

export type KeyVerdict = { key: string; ok: true } | { key: string; ok: false; reason: string; ops: KvOp[] } | { key: string; ok: 'unknown'; steps: number };

export interface LinearizabilityResult {
  ok: boolean;
  /** Keys whose search hit the step bound. */
  unknown: string[];
  failures: Array<Extract<KeyVerdict, { ok: false }>>;
  keysChecked: number;
}

/** Checks a whole history, key by key. */
export function checkLinearizable(ops: readonly KvOp[], opts: { maxSteps?: number } = {}): LinearizabilityResult {
  const byKey = new Map<string, KvOp[]>();
  for (const op of ops) {
    let list = byKey.get(op.key);
    if (list === undefined) byKey.set(op.key, (list = []));
    list.push(op);
  }
  const result: LinearizabilityResult = { ok: true, unknown: [], failures: [], keysChecked: byKey.size };
  for (const [key, list] of [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = checkKey(key, list, opts.maxSteps ?? 200_000);
    if (v.ok === 'unknown') result.unknown.push(key);
    else if (v.ok === false) {
      result.ok = false;
      result.failures.push(v);
    }
  }
  return result;
}

interface Entry {
  op: KvOp;
  /** The call (true) or return (false) of op. */
  isCall: boolean;
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** One register, from the initial state "absent". */
function checkKey(key: string, ops: KvOp[], maxSteps: number): KeyVerdict {
  // Build the doubly linked list of call/return events in time order (calls before returns at
  // the same instant, so that touching operations count as concurrent).
  const events: Entry[] = [];
  for (const op of ops) {
    const call: Entry = { op, isCall: true, match: undefined, prev: undefined, next: undefined };
    const ret: Entry = { op, isCall: false, match: undefined, prev: undefined, next: undefined };
    call.match = ret;
    events.push(call, ret);
  }
  events.sort((a, b) => {
    const ta = a.isCall ? a.op.invokedAt : a.op.returnedAt;
    const tb = b.isCall ? b.op.invokedAt : b.op.returnedAt;
    if (ta !== tb) return ta - tb;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    return a.op.id - b.op.id;
  });
  const head: Entry = { op: ops[0]!, isCall: false, match: undefined, prev: undefined, next: undefined };
  let prev = head;
  for (const e of events) {
    prev.next = e;
    e.prev = prev;
    prev = e;
  }

  const lift = (e: Entry): void => {
    e.prev!.next = e.next;
    if (e.next) e.next.prev = e.prev;
    const m = e.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (e: Entry): void => {
    const m = e.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    e.prev!.next = e;
    if (e.next) e.next.prev = e;
  };

  type State = string | undefined;
  const step = (state: State, op: KvOp): { ok: boolean; next: State } => {
    switch (op.kind) {
      case 'put':
        return { ok: true, next: op.value };
      case 'delete':
        return { ok: true, next: undefined };
      case 'get':
        return { ok: state === op.value, next: state };
    }
  };

  // The set of linearized operations (a bitset over op indexes) with the state, memoized.
  const index = new Map<number, number>();
  ops.forEach((op, i) => index.set(op.id, i));
  const bits = new Uint32Array(Math.ceil(ops.length / 32));
  const flip = (op: KvOp): void => {
    const i = index.get(op.id)!;
    bits[i >> 5]! ^= 1 << (i & 31);
  };
  const cache = new Set<string>();
  const stack: Array<{ entry: Entry; state: State }> = [];
  let state: State = undefined;
  let entry: Entry | undefined = head.next;
  let steps = 0;
  // Determinate operations not yet linearized; once none is left, the rest (indeterminate) may
  // simply never have taken effect.
  let determinateLeft = ops.filter((o) => !o.indeterminate).length;

  while (determinateLeft > 0) {
    if (++steps > maxSteps) return { key, ok: 'unknown', steps };
    if (entry !== undefined && entry.isCall) {
      const r = step(state, entry.op);
      if (r.ok) {
        flip(entry.op);
        const memo = `${bits.join(',')}|${r.next === undefined ? '\u0000' : 'v' + r.next}`;
        if (!cache.has(memo)) {
          cache.add(memo);
          stack.push({ entry, state });
          state = r.next;
          lift(entry);
          if (!entry.op.indeterminate) determinateLeft--;
          entry = head.next;
          continue;
        }
        flip(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // A return (or the end of the list): the operation it closes is not linearized yet, so
    // nothing linearized so far can come first. Backtrack.
    if (stack.length === 0) {
      return { key, ok: false, reason: 'no linearization: some read returns a value that no order of the writes consistent with real time produces', ops };
    }
    const top = stack.pop()!;
    state = top.state;
    flip(top.entry.op);
    unlift(top.entry);
    if (!top.entry.op.indeterminate) determinateLeft++;
    entry = top.entry.next;
  }
  return { key, ok: true };
}

/** Converts the client history (HistoryOp-like records) into register operations. */
export function kvOpsFromHistory(
  history: ReadonlyArray<{ op: string; key?: string; value?: string; invokedAt: number; returnedAt: number; ok: boolean; result: unknown }>,
): KvOp[] {
  const out: KvOp[] = [];
  let id = 0;
  for (const h of history) {
    if (h.key === undefined) continue;
    if (h.op === 'Put') {
      out.push({ id: id++, kind: 'put', key: h.key, value: h.value, invokedAt: h.invokedAt, returnedAt: h.ok ? h.returnedAt : Infinity, indeterminate: !h.ok });
    } else if (h.op === 'DeleteRange') {
      out.push({ id: id++, kind: 'delete', key: h.key, value: undefined, invokedAt: h.invokedAt, returnedAt: h.ok ? h.returnedAt : Infinity, indeterminate: !h.ok });
    } else if (h.op === 'Range' && h.ok) {
      const r = h.result as { kvs?: Array<{ value: string }> } | undefined;
      out.push({ id: id++, kind: 'get', key: h.key, value: r?.kvs?.[0]?.value, invokedAt: h.invokedAt, returnedAt: h.returnedAt, indeterminate: false });
    }
  }
  return out;
}
