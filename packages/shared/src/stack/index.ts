export * from './stack-env';
export * from './default-ports';
