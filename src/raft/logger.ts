// The logger interface through which the Raft core emits etcd's log lines. The conformance runner
// prints them as `LEVEL text`; the playground turns them into its event feed.
//
// Pure: the core only calls the interface; where lines go is the caller's business.

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Receives one complete log line (without the level prefix or a trailing newline). */
export interface Logger {
  log(level: LogLevel, message: string): void;
  /** When false for a level, the core skips formatting those lines (they are hot in simulations). */
  enabled?(level: LogLevel): boolean;
}

/** A logger that drops everything. */
export const discardLogger: Logger = {
  log() {},
  enabled() {
    return false;
  },
};

/** Thrown where etcd's raft panics: an invariant of the protocol or of the caller was broken. */
export class RaftPanic extends Error {
  override name = 'RaftPanic';
}

/**
 * The core's view of a Logger: level methods. Callers that format expensive lines check
 * `on(level)` first; the sink may change its level at any time, so it is asked every time.
 */
export class LevelLogger {
  constructor(private readonly sink: Logger) {}

  on(level: LogLevel): boolean {
    return this.sink.enabled === undefined || this.sink.enabled(level);
  }

  debug(message: string): void {
    if (this.on('DEBUG')) this.sink.log('DEBUG', message);
  }
  info(message: string): void {
    if (this.on('INFO')) this.sink.log('INFO', message);
  }
  warn(message: string): void {
    if (this.on('WARN')) this.sink.log('WARN', message);
  }
  error(message: string): void {
    if (this.on('ERROR')) this.sink.log('ERROR', message);
  }
  /** Logs at ERROR and throws: etcd's Panicf. */
  panic(message: string): never {
    this.sink.log('ERROR', message);
    throw new RaftPanic(message);
  }
}
