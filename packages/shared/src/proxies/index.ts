export * from './proxy-list';
export * from './proxy-state';
