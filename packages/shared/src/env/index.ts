export * from './coercers';
export * from './common-env';
export * from './parse-env';
