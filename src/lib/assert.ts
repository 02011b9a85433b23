// Assertions for invariants. A failed assertion is a bug, never an expected condition: expected
// failures are typed errors or result values. Assertions stay on in production; in the playground a
// failed assertion crashes the node that hit it (the UI shows the message), in a simulation it fails
// the seed.

/** Thrown when an invariant does not hold. */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Throws an AssertionError with `message` unless `condition` holds. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) {
    throw new AssertionError(typeof message === 'function' ? message() : message);
  }
}

/** Marks a branch that the type system proves unreachable (exhaustive switches). */
export function assertNever(value: never, what = 'value'): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Throws an AssertionError; for code paths that must never run. */
export function unreachable(message: string): never {
  throw new AssertionError(message);
}
