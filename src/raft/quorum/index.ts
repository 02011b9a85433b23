// Quorum arithmetic (majority and joint), re-exported.
export * from './quorum';
