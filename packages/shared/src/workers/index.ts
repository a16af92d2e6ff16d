export * from './heartbeat';
export * from './worker-list';
