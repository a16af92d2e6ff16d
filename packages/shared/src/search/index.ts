export * from './search-jobs';
export * from './search-query';
