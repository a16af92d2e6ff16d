export * from './coerce-error';
export * from './env-error';
export * from './floodgate-error';
export * from './redis-policy-error';
export * from './api-error-codes';
export * from './redis-topology-error';
