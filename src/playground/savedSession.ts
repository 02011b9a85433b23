// What lets a reload of the page resume the cluster: the members' data is already in their own
// IndexedDB databases; this keeps the rest (seed, config, members, links, the virtual clock) in one
// small record of a `<prefix>/session` database, rewritten as the run goes. A record that is
// missing, unreadable or from another version is reported as absent with the reason: the caller
// starts a new cluster and loses nothing it could have had.

import { openDB, type IDBPDatabase } from 'idb';
import type { ClusterLayout } from '../cluster/cluster';
import type { Recording } from './recording';

export interface SavedSession {
  version: 1;
  seed: number;
  config: Recording['config'];
  executor: 'inline' | 'worker';
  layout: ClusterLayout;
}

const STORE = 'session';
const KEY = 'current';

function dbName(prefix: string): string {
  return `${prefix}/session`;
}

async function open(prefix: string): Promise<IDBPDatabase> {
  if (globalThis.indexedDB === undefined) throw new Error('no IndexedDB in this environment');
  return openDB(dbName(prefix), 1, {
    upgrade(db) {
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
    },
  });
}

/** Checks the shape of a stored record (anything else counts as absent). */
function isSavedSession(x: unknown): x is SavedSession {
  if (x === null || typeof x !== 'object') return false;
  const s = x as Partial<SavedSession>;
  const l = s.layout;
  return (
    s.version === 1 &&
    typeof s.seed === 'number' &&
    typeof s.config === 'object' &&
    s.config !== null &&
    (s.executor === 'inline' || s.executor === 'worker') &&
    l !== undefined &&
    typeof l.now === 'number' &&
    Number.isFinite(l.now) &&
    Array.isArray(l.nodes) &&
    l.nodes.length > 0 &&
    l.nodes.every((n) => n !== null && typeof n === 'object' && typeof n.spec?.id === 'number' && typeof n.spec.name === 'string') &&
    typeof l.memberCounter === 'number' &&
    Array.isArray(l.links)
  );
}

/** The saved session under `prefix`, or why there is none. */
export async function loadSavedSession(prefix: string): Promise<{ session: SavedSession } | { session: undefined; reason: string }> {
  let db: IDBPDatabase | undefined;
  try {
    db = await open(prefix);
    const v: unknown = await db.get(STORE, KEY);
    if (v === undefined) return { session: undefined, reason: 'no saved cluster' };
    if (!isSavedSession(v)) return { session: undefined, reason: 'the saved cluster record is unreadable (another version, or damaged)' };
    return { session: v };
  } catch (err) {
    return { session: undefined, reason: `the saved cluster could not be read: ${(err as Error).message}` };
  } finally {
    db?.close();
  }
}

/** Writes the session record (one small transaction). */
export async function saveSession(prefix: string, session: SavedSession): Promise<void> {
  const db = await open(prefix);
  try {
    await db.put(STORE, session, KEY);
  } finally {
    db.close();
  }
}

/** Forgets the saved session (a new cluster starts on the next load). Members' databases stay. */
export async function clearSavedSession(prefix: string): Promise<void> {
  const db = await open(prefix);
  try {
    await db.delete(STORE, KEY);
  } finally {
    db.close();
  }
}
