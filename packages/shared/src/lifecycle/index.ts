export * from './shutdown';
export * from './signal-ready';
