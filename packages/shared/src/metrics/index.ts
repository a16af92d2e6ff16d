export * from './create-metrics-registry';
export * from './metrics-server';
