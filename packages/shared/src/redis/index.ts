export * from './check-eviction-policy';
export * from './create-redis';
export * from './redis-url';
export * from './wait-for-redis';
export * from './connect-at-startup';
export * from './lua-script';
export * from './check-persistence';
export * from './check-aof-ack';
