export * from './tracing-env';
export * from './tracing';
export * from './start-tracing';
export * from './spans';
export * from './http-server-span';
