export * from './fetch-target-policy';
