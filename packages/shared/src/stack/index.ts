export * from './stack-env';
export * from './default-ports';
export * from './api-instances';
