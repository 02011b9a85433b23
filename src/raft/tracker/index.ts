// Progress tracking and flow control, re-exported.
export * from './inflights';
export * from './progress';
export * from './tracker';
