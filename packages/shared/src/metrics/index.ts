export * from './create-metrics-registry';
export * from './metrics-server';
export * from './health-probes';
