export * from './overview-fields';
export * from './overview-keys';
export * from './overview-reader';
export * from './overview-recorder';
export * from './depth-counts';
