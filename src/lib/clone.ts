// A deep copy of an object graph that keeps classes, shared references and cycles: the way time
// travel takes a checkpoint of a whole simulated world (cluster, members, logs, stores, clients)
// and restores it later, without serializing it.
//
// Functions cannot be copied: a closure would keep acting on the original graph. So a function in
// the graph must be registered with `shareOnClone` (module-level, stateless functions such as
// Raft's step functions), or be replaced by the caller; anything else is an error naming where it
// was found, so a closure that sneaks into simulated state fails loudly instead of silently
// joining two worlds. Promises are refused the same way. An object may say what its copy should
// be made from through `CLONE_AS` (e.g. a client drops its callers' promise callbacks).
//
// A frozen object is shared, with everything under it: freeze only values that never change
// (stored rows, MVCC records), which keeps checkpoints small.

const shared = new WeakSet<Function>();

/** Marks a stateless function as safe to share between a graph and its copies. */
export function shareOnClone<F extends Function>(fn: F): F {
  shared.add(fn);
  return fn;
}

/**
 * An object with a method under this key is copied from what the method returns (an object with
 * the same prototype, usually a shallow copy with some fields replaced).
 */
export const CLONE_AS = Symbol('cloneAs');

export class CloneError extends Error {
  override name = 'CloneError';
}

export interface CloneOptions {
  /** Values put in place of the given objects or functions, as they are (not copied). */
  replace?: ReadonlyMap<unknown, unknown>;
}

type Work = { src: object; dst: object };

// Prototypes whose instances can be filled by plain assignment (no accessor anywhere on the chain).
const plainProto = new WeakMap<object, boolean>();

function assignable(proto: object | null): boolean {
  if (proto === null || proto === Object.prototype) return true;
  let ok = plainProto.get(proto);
  if (ok === undefined) {
    ok = true;
    for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
      for (const k of Reflect.ownKeys(p)) {
        const d = Object.getOwnPropertyDescriptor(p, k);
        if (d !== undefined && (d.set !== undefined || d.get !== undefined)) ok = false;
      }
    }
    plainProto.set(proto, ok);
  }
  return ok;
}

/** A deep copy of `root` (see the module comment for what can be in it). */
export function cloneGraph<T>(root: T, options: CloneOptions = {}): T {
  const replace = options.replace;
  const memo = new Map<unknown, unknown>();
  const work: Work[] = [];

  const shell = (v: object): unknown => {
    if (Object.isFrozen(v) && typeof v !== 'function') {
      memo.set(v, v);
      return v;
    }
    if (replace !== undefined && replace.has(v)) {
      const r = replace.get(v);
      memo.set(v, r);
      return r;
    }
    if (typeof v === 'function') {
      if (shared.has(v)) {
        memo.set(v, v);
        return v;
      }
      throw new CloneError(`cannot copy function ${v.name || '(anonymous)'} at ${pathTo(root, v)}: register it with shareOnClone or replace it`);
    }
    const custom = (v as { [CLONE_AS]?: () => object })[CLONE_AS];
    const src: object = typeof custom === 'function' ? custom.call(v) : v;
    let dst: object;
    if (Array.isArray(src)) {
      dst = new Array<unknown>(src.length);
    } else if (src instanceof Map) {
      dst = Object.getPrototypeOf(src) === Map.prototype ? new Map() : Reflect.construct(Map, [], src.constructor);
    } else if (src instanceof Set) {
      dst = Object.getPrototypeOf(src) === Set.prototype ? new Set() : Reflect.construct(Set, [], src.constructor);
    } else if (ArrayBuffer.isView(src)) {
      // Leaves: copied whole (a view over a shared buffer gets its own buffer).
      dst = src instanceof DataView ? new DataView(src.buffer.slice(0)) : (src as Uint8Array).slice();
      memo.set(v, dst);
      return dst;
    } else if (src instanceof ArrayBuffer) {
      dst = src.slice(0);
      memo.set(v, dst);
      return dst;
    } else if (src instanceof Promise || src instanceof WeakMap || src instanceof WeakSet || Object.prototype.toString.call(src) === '[object Date]') {
      // Simulated state keeps times as numbers; these hold what a copy cannot reach.
      throw new CloneError(`cannot copy a ${src.constructor.name} at ${pathTo(root, v)}: replace it`);
    } else {
      dst = Object.create(Object.getPrototypeOf(src) as object | null) as object;
    }
    memo.set(v, dst);
    work.push({ src, dst });
    return dst;
  };

  const copy = (x: unknown): unknown => {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return x;
    return memo.has(x) ? memo.get(x) : shell(x);
  };

  const top = copy(root);
  while (work.length > 0) {
    const { src, dst } = work.pop()!;
    if (Array.isArray(src)) {
      const d = dst as unknown[];
      for (let i = 0; i < src.length; i++) d[i] = copy(src[i]);
    } else if (src instanceof Map) {
      const d = dst as Map<unknown, unknown>;
      for (const [k, val] of src) d.set(copy(k), copy(val));
    } else if (src instanceof Set) {
      const d = dst as Set<unknown>;
      for (const val of src) d.add(copy(val));
    }
    if (src instanceof Map || src instanceof Set) continue;
    const d = dst as Record<string | symbol, unknown>;
    const s = src as Record<string | symbol, unknown>;
    if (src instanceof Error) {
      // message and stack are own but not enumerable.
      for (const k of Object.getOwnPropertyNames(src)) {
        const desc = Object.getOwnPropertyDescriptor(src, k)!;
        Object.defineProperty(d, k, { ...desc, ...('value' in desc ? { value: copy(desc.value) } : {}) });
      }
      continue;
    }
    if (assignable(Object.getPrototypeOf(src) as object | null)) {
      for (const k of Object.keys(src)) {
        if (Array.isArray(src) && isIndex(k)) continue;
        d[k] = copy(s[k]);
      }
    } else {
      for (const k of Object.keys(src)) {
        Object.defineProperty(d, k, { value: copy(s[k]), writable: true, enumerable: true, configurable: true });
      }
    }
    for (const k of Object.getOwnPropertySymbols(src)) {
      if (Object.prototype.propertyIsEnumerable.call(src, k)) d[k] = copy(s[k]);
    }
  }
  return top as T;
}

function isIndex(k: string): boolean {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Where `target` sits in the graph under `root` (slow; only for error messages). */
function pathTo(root: unknown, target: unknown): string {
  const seen = new Set<unknown>();
  const queue: Array<[unknown, string]> = [[root, 'root']];
  while (queue.length > 0) {
    const [v, path] = queue.shift()!;
    if (v === target) return path;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (v instanceof Map) {
      let i = 0;
      for (const [k, val] of v) {
        queue.push([k, `${path}.<key ${i}>`]);
        queue.push([val, `${path}.get(${typeof k === 'object' ? i : JSON.stringify(k)})`]);
        i++;
      }
    } else if (v instanceof Set) {
      let i = 0;
      for (const val of v) queue.push([val, `${path}.<item ${i++}>`]);
    } else {
      for (const k of Object.keys(v)) queue.push([(v as Record<string, unknown>)[k], `${path}.${k}`]);
    }
  }
  return '(unknown place)';
}
