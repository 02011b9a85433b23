// Configuration changes (simple and joint), re-exported.
export * from './changer';
export * from './restore';
