export * from './api-key';
export * from './key-store';
export * from './scopes';
