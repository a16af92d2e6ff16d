export * from './tenant';
export * from './fair-scripts';
export * from './fair-partition';
export * from './fair-reads';
export * from './tenant-dispatch';
export * from './tenant-report';
