export * from './queue-identity';
export * from './open-queues';
export * from './partitions';
export * from './type-queue';
export * from './partition-watch';
export * from './partitioned-queues';
export * from './job-id';
