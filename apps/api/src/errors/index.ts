export * from './catalog-errors';
export * from './http-error';
export * from './redis-errors';
export * from './tenant-queue-full';
export * from './stored-nothing';
