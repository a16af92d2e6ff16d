export * from './free-port';
export * from './start-redis';
export * from './wait-for';
export * from './prometheus-text';
export * from './spawn-node-process';
export * from './forward-proxy';
export * from './otlp-receiver';
export * from './tcp-fault-proxy';
