export * from './catalog-errors';
export * from './http-error';
export * from './redis-errors';
