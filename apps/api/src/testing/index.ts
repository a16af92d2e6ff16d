// What @floodgate/api/testing exports to the other workspace packages' tests (never packed).
export * from './api-harness';
export * from './api-test';
